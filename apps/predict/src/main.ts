import { runCli } from '@vigil/core';
import { buildProgram } from './program.js';

await runCli('vigil-predict', async () => {
  await buildProgram().parseAsync(process.argv);
});
