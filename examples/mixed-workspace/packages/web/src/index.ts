/** Where the `app` crate's binary lands after `nx build app`, relative to the workspace. */
export function appBinary(profile: 'debug' | 'release' = 'debug'): string {
  return `target/${profile}/app`;
}
