export { default, afterAllProjectsVersioned } from '../dist/release/version-actions';
