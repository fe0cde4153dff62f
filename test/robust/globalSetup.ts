import { setup } from './table';

export default function globalSetup(): void {
  setup();
}
