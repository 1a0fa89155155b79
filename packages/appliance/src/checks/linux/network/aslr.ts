import type { LinuxCheck } from '../../check';
import { defineSysctlCheck } from './sysctl';

/** linux.kernel.aslr: 2 = stack, mmap, VDSO and heap randomised; 1 leaves the heap (brk) fixed. */
export const aslr: LinuxCheck = defineSysctlCheck({
  id: 'linux.kernel.aslr',
  subject: 'address space layout randomisation',
  requirements: [{ key: 'kernel.randomize_va_space', expected: '2' }],
  passReason: 'Address space layout randomisation is fully enabled (kernel.randomize_va_space = 2).',
});
