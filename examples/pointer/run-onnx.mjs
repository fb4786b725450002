// Run the Pointer from its ONNX file alone — the loop a robot controller runs — after checking that the file was
// trained for this very model (model_sha256 in its metadata against the hash of pointer.xml and its assets).
//
//   node examples/pointer/run-onnx.mjs runs/pointer/policy.onnx [episodes]
import { loadOnnxPolicy, modelSha256, readMjcf } from '../../dist/sdk/index.js';
import { createPointerEnv } from './pointer-env.mjs';

const [file, episodesArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node examples/pointer/run-onnx.mjs POLICY.onnx [episodes]');
  process.exit(2);
}
const policy = await loadOnnxPolicy(file);
const expected = modelSha256(readMjcf(new URL('./pointer.xml', import.meta.url)));
if (policy.metadata.modelSha256 !== expected) {
  console.error(`${file} was trained for model ${policy.metadata.modelSha256 ?? '(none)'}, this robot's model is ${expected}`);
  process.exit(1);
}
console.log(`${file}: ${policy.metadata.envId}, model_sha256 ${expected.slice(0, 12)}… matches`);

const env = await createPointerEnv();
const episodes = Number(episodesArg ?? 5);
for (let k = 0; k < episodes; k++) {
  let { obs } = env.reset({ seed: 1000 + k });
  let total = 0;
  let distance = NaN;
  for (;;) {
    const action = await policy.act(obs);
    const r = env.step(action);
    total += r.reward;
    distance = r.info.distance;
    obs = r.obs;
    if (r.terminated || r.truncated) break;
  }
  console.log(`episode ${k}: return ${total.toFixed(2)}, final tip distance ${(100 * distance).toFixed(1)} cm`);
}
env.close();
await policy.close();
