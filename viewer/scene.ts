// The robot in three.js, built from the compiled MuJoCo model: one mesh per visible geom (plane, sphere, capsule,
// ellipsoid, cylinder, box, mesh) in the model's colours, placed every frame from data.geom_xpos / geom_xmat.
// MuJoCo is z-up, so the camera's up is +z. Views into the MuJoCo heap are fetched again on every call: they
// die when the heap grows.
import * as THREE from 'three';
import type { MujocoEnv } from '../sdk/browser.js';

export type Physics = ReturnType<MujocoEnv['physics']>;

const GEOM = { PLANE: 0, HFIELD: 1, SPHERE: 2, CAPSULE: 3, ELLIPSOID: 4, CYLINDER: 5, BOX: 6, MESH: 7 } as const;
/** MuJoCo's default visualization shows geom groups 0–2. */
const VISIBLE_GROUPS = 3;

/** Diameter of the robot (every geom but planes, as placed now): how far away the camera stays. */
function robotSize({ model, data }: Physics): number {
  const type = model.geom_type as Int32Array;
  const rbound = model.geom_rbound as Float64Array;
  const pos = data.geom_xpos as Float64Array;
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let g = 0; g < model.ngeom; g++) {
    if (type[g] === GEOM.PLANE) continue;
    for (let k = 0; k < 3; k++) {
      lo[k] = Math.min(lo[k], pos[3 * g + k] - rbound[g]);
      hi[k] = Math.max(hi[k], pos[3 * g + k] + rbound[g]);
    }
  }
  const diameter = Math.hypot(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]);
  return Number.isFinite(diameter) && diameter > 0 ? Math.min(diameter, 5) : 1;
}

export class RobotScene {
  readonly scene = new THREE.Scene();
  readonly camera = new THREE.PerspectiveCamera(45, 1, 0.01, 200);
  private readonly geoms: (THREE.Object3D | undefined)[] = [];
  private readonly matrix = new THREE.Matrix4();
  /** Body the camera follows: the one named torso, or the first body below the world. */
  private readonly followBody: number;
  private readonly target = new THREE.Vector3();
  private readonly offset: THREE.Vector3;

  constructor(private readonly physics: Physics) {
    const { mj, model } = physics;
    this.scene.background = new THREE.Color(0xdde6ee);
    this.camera.up.set(0, 0, 1);
    this.scene.add(new THREE.HemisphereLight(0xffffff, 0x445566, 1.6));
    const sun = new THREE.DirectionalLight(0xffffff, 1.8);
    sun.position.set(3, -4, 8);
    this.scene.add(sun);

    const type = model.geom_type as Int32Array;
    const group = model.geom_group as Int32Array;
    for (let g = 0; g < model.ngeom; g++) {
      const mesh = group[g] < VISIBLE_GROUPS ? this.geomObject(g, type[g]) : undefined;
      if (mesh) {
        mesh.matrixAutoUpdate = false;
        this.scene.add(mesh);
      }
      this.geoms.push(mesh);
    }
    const torso = mj.mj_name2id(model, mj.mjtObj.mjOBJ_BODY.value, 'torso');
    this.followBody = torso >= 0 ? torso : Math.min(1, model.nbody - 1);
    const size = robotSize(physics);
    this.offset = new THREE.Vector3(0.3 * size, -1.7 * size, 0.45 * size);
  }

  /** How many geoms of each MuJoCo type the scene draws (keyed by type name), for checks. */
  drawnTypes(): Record<string, number> {
    const names = Object.keys(GEOM);
    const type = this.physics.model.geom_type as Int32Array;
    const counts: Record<string, number> = {};
    this.geoms.forEach((object, g) => {
      if (object) counts[names[type[g]]] = (counts[names[type[g]]] ?? 0) + 1;
    });
    return counts;
  }

  /** Places every geom where the simulation has it and moves the camera after the followed body. */
  update(): void {
    const { data } = this.physics;
    const pos = data.geom_xpos as Float64Array;
    const mat = data.geom_xmat as Float64Array;
    for (let g = 0; g < this.geoms.length; g++) {
      const object = this.geoms[g];
      if (!object) continue;
      const p = 3 * g;
      const r = 9 * g;
      this.matrix.set(
        mat[r], mat[r + 1], mat[r + 2], pos[p],
        mat[r + 3], mat[r + 4], mat[r + 5], pos[p + 1],
        mat[r + 6], mat[r + 7], mat[r + 8], pos[p + 2],
        0, 0, 0, 1,
      );
      object.matrix.copy(this.matrix);
    }
    const xpos = data.xpos as Float64Array;
    const b = 3 * this.followBody;
    this.target.set(xpos[b], xpos[b + 1], xpos[b + 2]);
    this.camera.position.copy(this.target).add(this.offset);
    this.camera.lookAt(this.target);
  }

  private geomObject(g: number, type: number): THREE.Object3D | undefined {
    const { model } = this.physics;
    const size = (model.geom_size as Float64Array).subarray(3 * g, 3 * g + 3);
    const material = this.material(g);
    let geometry: THREE.BufferGeometry;
    let along = false; // three's capsules and cylinders run along y; MuJoCo's along z
    switch (type) {
      case GEOM.PLANE: {
        const w = size[0] > 0 ? 2 * size[0] : 200;
        const h = size[1] > 0 ? 2 * size[1] : 200;
        const plane = new THREE.Group();
        plane.add(new THREE.Mesh(new THREE.PlaneGeometry(w, h), material));
        const grid = new THREE.GridHelper(Math.max(w, h), Math.round(Math.max(w, h)), 0x556677, 0x8899aa);
        grid.rotation.x = Math.PI / 2; // the grid lies in three's xz plane; the MuJoCo plane is the geom's xy
        grid.position.z = 0.001;
        plane.add(grid);
        return plane;
      }
      case GEOM.SPHERE: geometry = new THREE.SphereGeometry(size[0], 24, 16); break;
      case GEOM.ELLIPSOID: geometry = new THREE.SphereGeometry(1, 24, 16).scale(size[0], size[1], size[2]); break;
      case GEOM.CAPSULE: geometry = new THREE.CapsuleGeometry(size[0], 2 * size[1], 8, 16); along = true; break;
      case GEOM.CYLINDER: geometry = new THREE.CylinderGeometry(size[0], size[0], 2 * size[1], 24); along = true; break;
      case GEOM.BOX: geometry = new THREE.BoxGeometry(2 * size[0], 2 * size[1], 2 * size[2]); break;
      case GEOM.MESH: {
        const built = this.meshGeometry((model.geom_dataid as Int32Array)[g]);
        if (!built) return undefined;
        geometry = built;
        break;
      }
      default: return undefined; // height fields and SDFs are not drawn
    }
    if (along) geometry.rotateX(Math.PI / 2);
    const mesh = new THREE.Mesh(geometry, material);
    const holder = new THREE.Group();
    holder.add(mesh);
    return holder;
  }

  private meshGeometry(id: number): THREE.BufferGeometry | undefined {
    const { model } = this.physics;
    if (id < 0) return undefined;
    const vAdr = (model.mesh_vertadr as Int32Array)[id];
    const vNum = (model.mesh_vertnum as Int32Array)[id];
    const fAdr = (model.mesh_faceadr as Int32Array)[id];
    const fNum = (model.mesh_facenum as Int32Array)[id];
    const vertices = Float32Array.from((model.mesh_vert as Float32Array).subarray(3 * vAdr, 3 * (vAdr + vNum)));
    const faces = Uint32Array.from((model.mesh_face as Int32Array).subarray(3 * fAdr, 3 * (fAdr + fNum)));
    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute('position', new THREE.BufferAttribute(vertices, 3));
    geometry.setIndex(new THREE.BufferAttribute(faces, 1));
    geometry.computeVertexNormals();
    return geometry;
  }

  /** The geom's colour: its material's when it has one, else its own rgba. */
  private material(g: number): THREE.Material {
    const { model } = this.physics;
    const matId = (model.geom_matid as Int32Array)[g];
    const rgba = matId >= 0
      ? (model.mat_rgba as Float32Array).subarray(4 * matId, 4 * matId + 4)
      : (model.geom_rgba as Float32Array).subarray(4 * g, 4 * g + 4);
    return new THREE.MeshStandardMaterial({
      color: new THREE.Color(rgba[0], rgba[1], rgba[2]),
      transparent: rgba[3] < 1,
      opacity: rgba[3],
      roughness: 0.7,
      metalness: 0.05,
      side: THREE.DoubleSide,
    });
  }
}
