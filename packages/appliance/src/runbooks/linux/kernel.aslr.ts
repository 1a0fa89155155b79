import { defineSysctlRunbook } from './sysctl-runbook';

export const kernelAslr = defineSysctlRunbook({
  checkId: 'linux.kernel.aslr',
  title: 'Fully enable address space layout randomisation',
  description:
    'Sets kernel.randomize_va_space to 2 at run time and in /etc/sysctl.d/60-osiris.conf; new processes are randomised at once, running ones keep their layout.',
  values: { 'kernel.randomize_va_space': '2' },
});
