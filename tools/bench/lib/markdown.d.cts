export declare const BEGIN: string;
export declare const END: string;
export declare function table(headers: readonly string[], rows: readonly (readonly unknown[])[], opts?: { numeric?: boolean }): string;
export declare function replaceGenerated(text: string, body: string): string;
export declare function seconds(x: number | undefined): string;
export declare function ratio(x: number | undefined): string;
