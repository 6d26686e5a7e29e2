import { TempWorkspace } from './temp-workspace';

/**
 * A workspace with one small crate, `tiny`, made for the executor specs: a
 * feature that breaks the build, an ignored test that fails, a clippy
 * warning, and a binary that echoes its arguments.
 */
export function tinyCrateWorkspace(): TempWorkspace {
  const ws = TempWorkspace.empty('ft-exec-');
  ws.crate(
    'tiny',
    'tiny',
    [
      '#[cfg(feature = "broken")]',
      'compile_error!("the broken feature is on");',
      '',
      'pub fn double(x: u32) -> u32 {',
      '    return x * 2; // clippy::needless_return, a warning by default',
      '}',
      '',
      '#[cfg(test)]',
      'mod tests {',
      '    #[test]',
      '    fn doubles() {',
      '        assert_eq!(super::double(2), 4);',
      '    }',
      '',
      '    #[test]',
      '    #[ignore]',
      '    fn fails_when_asked() {',
      '        panic!("the ignored test ran");',
      '    }',
      '}',
      '',
    ].join('\n'),
    '[features]\nbroken = []\n',
  );
  ws.write('tiny/src/main.rs', 'fn main() {\n    let args: Vec<String> = std::env::args().skip(1).collect();\n    println!("tiny got [{}] {}", args.join(","), tiny::double(21));\n}\n');
  return ws;
}

/** The tiny workspace for one spec file: made before its tests, removed after. */
export function useTinyCrateWorkspace(): () => TempWorkspace {
  let ws: TempWorkspace | undefined;
  beforeAll(() => {
    ws = tinyCrateWorkspace();
  });
  afterAll(() => ws?.dispose());
  return () => ws as TempWorkspace;
}
