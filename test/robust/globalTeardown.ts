import { teardown } from './table';

export default function globalTeardown(): void {
  teardown();
}
