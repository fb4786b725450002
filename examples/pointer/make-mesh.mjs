// Writes meshes/base.stl: the pointer's base, a hexagonal frustum as a binary STL (what a CAD export gives you).
//   node examples/pointer/make-mesh.mjs
import { mkdirSync, writeFileSync } from 'node:fs';

const SIDES = 6;
const RADIUS_BOTTOM = 0.06;
const RADIUS_TOP = 0.04;
const HEIGHT = 0.03;

function ring(radius, z) {
  return Array.from({ length: SIDES }, (_, k) => {
    const a = (2 * Math.PI * k) / SIDES;
    return [radius * Math.cos(a), radius * Math.sin(a), z];
  });
}

const bottom = ring(RADIUS_BOTTOM, 0);
const top = ring(RADIUS_TOP, HEIGHT);
const triangles = [];
for (let k = 0; k < SIDES; k++) {
  const n = (k + 1) % SIDES;
  triangles.push([bottom[k], bottom[n], top[n]], [bottom[k], top[n], top[k]]); // sides, counter-clockwise from outside
  triangles.push([[0, 0, HEIGHT], top[k], top[n]]); // top cap
  triangles.push([[0, 0, 0], bottom[n], bottom[k]]); // bottom cap
}

// Binary STL: 80-byte header, triangle count, then per triangle a normal (left 0: MuJoCo recomputes it),
// three vertices (float32 little-endian) and a 2-byte attribute.
const bytes = new Uint8Array(84 + 50 * triangles.length);
const view = new DataView(bytes.buffer);
new TextEncoder().encodeInto('trpo-wasm pointer base', bytes);
view.setUint32(80, triangles.length, true);
triangles.forEach((triangle, t) => {
  let offset = 84 + 50 * t + 12;
  for (const vertex of triangle) {
    for (const c of vertex) {
      view.setFloat32(offset, c, true);
      offset += 4;
    }
  }
});
const out = new URL('./meshes/base.stl', import.meta.url);
mkdirSync(new URL('./meshes/', import.meta.url), { recursive: true });
writeFileSync(out, bytes);
console.log(`wrote ${out.pathname} (${triangles.length} triangles, ${bytes.length} bytes)`);
