// Human-readable names of the numbers a MuJoCo env exchanges with the policy, read from the compiled model:
// "index → quantity (unit)" for every qpos/qvel entry, per-body quantities and every actuator. The envs compose
// their observation labels from these pieces in the same order as they write the observation, and the ONNX
// export carries them to the robot (metadata keys observation_labels / action_labels).
//
// MuJoCo conventions used: a free joint's qpos is (x, y, z, qw, qx, qy, qz) in the world frame and its qvel is
// (linear velocity in the world frame, angular velocity in the body frame); cinert per body is (Ixx, Iyy, Izz,
// Ixy, Ixz, Iyz, m·cx, m·cy, m·cz, m) about the subtree's centre of mass; cvel and cfrc_ext are 6-vectors
// (rotation first, then translation) in the same com-based frame.
import type { CompiledModel } from './mujoco-runtime.js';

export interface ModelLabels {
  /** nq labels, e.g. "qpos[1] torso z position, slide joint rootz (m)". */
  readonly qpos: readonly string[];
  /** nv labels, e.g. "qvel[3] thigh angular velocity about -y, hinge joint thigh_joint (rad/s)". */
  readonly qvel: readonly string[];
  /** nv descriptions (no index) of the generalized force on each dof: N for translations, N·m for rotations. */
  readonly qfrc: readonly string[];
  /** nbody names (body 0 is the world). */
  readonly bodies: readonly string[];
  /** nu labels: actuator, joint, gear and control range. */
  readonly actuators: readonly string[];
}

const JOINT_FREE = 0;
const JOINT_BALL = 1;
const JOINT_SLIDE = 2;
const XYZ = ['x', 'y', 'z'] as const;
const QUATERNION = ['w', 'x', 'y', 'z'] as const;

const cache = new WeakMap<CompiledModel, ModelLabels>();

/** The labels of `c` (computed once per compiled model). */
export function modelLabels(c: CompiledModel): ModelLabels {
  let labels = cache.get(c);
  if (!labels) {
    labels = readModelLabels(c);
    cache.set(c, labels);
  }
  return labels;
}

function readModelLabels(c: CompiledModel): ModelLabels {
  const { model } = c;
  // Names are read from model.names directly: mj_id2name of an unnamed element returned garbage in this build.
  const names = Uint8Array.from(model.names as Int8Array, (byte) => byte & 0xff);
  const decoder = new TextDecoder();
  const nameAt = (address: number, fallback: string): string => {
    const end = names.indexOf(0, address);
    const text = decoder.decode(names.subarray(address, end < 0 ? names.length : end));
    return text === '' ? fallback : text;
  };
  const jointType = Array.from(model.jnt_type as Int32Array);
  const qposAdr = Array.from(model.jnt_qposadr as Int32Array);
  const dofAdr = Array.from(model.jnt_dofadr as Int32Array);
  const jointBody = Array.from(model.jnt_bodyid as Int32Array);
  const axes = Array.from(model.jnt_axis as Float64Array);
  const bodyAdr = Array.from(model.name_bodyadr as Int32Array);
  const jointAdr = Array.from(model.name_jntadr as Int32Array);
  const actuatorAdr = Array.from(model.name_actuatoradr as Int32Array);
  const bodies = bodyAdr.map((address, b) => nameAt(address, `body ${b}`));
  const joints = jointAdr.map((address, j) => nameAt(address, `joint ${j}`));

  const qpos: string[] = new Array<string>(c.nq);
  const qvel: string[] = new Array<string>(c.nv);
  const qfrc: string[] = new Array<string>(c.nv);
  jointType.forEach((type, j) => {
    const body = bodies[jointBody[j]];
    const joint = joints[j];
    const p = qposAdr[j];
    const v = dofAdr[j];
    if (type === JOINT_FREE) {
      XYZ.forEach((axis, i) => {
        qpos[p + i] = `qpos[${p + i}] ${body} ${axis} position, free joint ${joint} (m)`;
        qvel[v + i] = `qvel[${v + i}] ${body} ${axis} velocity, world frame, free joint ${joint} (m/s)`;
        qfrc[v + i] = `${body} force along world ${axis}, free joint ${joint} (N)`;
        qvel[v + 3 + i] = `qvel[${v + 3 + i}] ${body} angular velocity about local ${axis}, free joint ${joint} (rad/s)`;
        qfrc[v + 3 + i] = `${body} torque about local ${axis}, free joint ${joint} (N·m)`;
      });
      QUATERNION.forEach((part, i) => {
        qpos[p + 3 + i] = `qpos[${p + 3 + i}] ${body} orientation quaternion ${part}, free joint ${joint} (unitless)`;
      });
    } else if (type === JOINT_BALL) {
      QUATERNION.forEach((part, i) => {
        qpos[p + i] = `qpos[${p + i}] ${body} orientation quaternion ${part}, ball joint ${joint} (unitless)`;
      });
      XYZ.forEach((axis, i) => {
        qvel[v + i] = `qvel[${v + i}] ${body} angular velocity about local ${axis}, ball joint ${joint} (rad/s)`;
        qfrc[v + i] = `${body} torque about local ${axis}, ball joint ${joint} (N·m)`;
      });
    } else {
      const axis = axisName(axes.slice(3 * j, 3 * j + 3));
      const slide = type === JOINT_SLIDE;
      const kind = slide ? 'slide' : 'hinge';
      qpos[p] = slide
        ? `qpos[${p}] ${body} position along ${axis}, slide joint ${joint} (m)`
        : `qpos[${p}] ${body} angle about ${axis}, hinge joint ${joint} (rad)`;
      qvel[v] = slide
        ? `qvel[${v}] ${body} velocity along ${axis}, slide joint ${joint} (m/s)`
        : `qvel[${v}] ${body} angular velocity about ${axis}, hinge joint ${joint} (rad/s)`;
      qfrc[v] = `${kind} joint ${joint} ${slide ? 'force (N)' : 'torque (N·m)'}`;
    }
  });

  const trnId = Array.from(model.actuator_trnid as Int32Array);
  const gear = Array.from(model.actuator_gear as Float64Array);
  const actuators = Array.from({ length: c.nu }, (_, a) => {
    const j = trnId[2 * a];
    const actuator = nameAt(actuatorAdr[a], `${joints[j]} motor`);
    const slide = jointType[j] === JOINT_SLIDE;
    const low = c.ctrlRange[2 * a];
    const high = c.ctrlRange[2 * a + 1];
    const effect = slide ? 'force' : 'torque';
    return `ctrl[${a}] ${actuator}: ${effect} on joint ${joints[j]} = ${gear[6 * a]} × ctrl ${slide ? '(N)' : '(N·m)'}, ctrl in [${low}, ${high}]`;
  });
  return { qpos, qvel, qfrc, bodies, actuators };
}

/** "x", "-y", … for a unit axis, else the vector. */
function axisName(axis: number[]): string {
  for (let i = 0; i < 3; i++) {
    const others = axis.filter((_, k) => k !== i).every((value) => value === 0);
    if (others && Math.abs(axis[i]) === 1) return `${axis[i] < 0 ? '-' : ''}${XYZ[i]}`;
  }
  return `axis (${axis.map((value) => Number(value.toFixed(3))).join(', ')})`;
}

/** Each label with a note appended, e.g. ", clipped to ±10". */
export function withNote(labels: readonly string[], note: string): string[] {
  return labels.map((label) => `${label}${note}`);
}

/** "cos(qpos[1] pole angle …)" for an angle label: the function of the angle, unitless. */
export function trigLabel(fn: 'sin' | 'cos', angleLabel: string): string {
  return `${fn}(${angleLabel.replace(/ \(rad\)$/, '')}) (unitless)`;
}

/** Labels of a per-dof force field (qfrc_actuator, qfrc_constraint) from dof `start` on. */
export function dofForceLabels(labels: ModelLabels, field: string, start = 0, note = ''): string[] {
  return labels.qfrc.slice(start).map((what, i) => `${field}[${start + i}] ${what}${note}`);
}

/** Per-body labels of a com-based quantity, bodies 1… (the world body is skipped, as Gymnasium does). */
export function perBodyLabels(labels: ModelLabels, field: 'cinert' | 'cvel' | 'cfrc_ext', note = ''): string[] {
  const parts = PER_BODY[field];
  const out: string[] = [];
  for (let b = 1; b < labels.bodies.length; b++) {
    parts.forEach((part, k) => out.push(`${field}[${b * parts.length + k}] ${labels.bodies[b]} ${part}${note}`));
  }
  return out;
}

const PER_BODY = {
  cinert: [
    'inertia Ixx (kg·m²)', 'inertia Iyy (kg·m²)', 'inertia Izz (kg·m²)', 'inertia Ixy (kg·m²)', 'inertia Ixz (kg·m²)',
    'inertia Iyz (kg·m²)', 'mass × com offset x (kg·m)', 'mass × com offset y (kg·m)', 'mass × com offset z (kg·m)',
    'mass (kg)',
  ],
  cvel: [
    'angular velocity x (rad/s)', 'angular velocity y (rad/s)', 'angular velocity z (rad/s)',
    'linear velocity x (m/s)', 'linear velocity y (m/s)', 'linear velocity z (m/s)',
  ],
  cfrc_ext: [
    'external torque x (N·m)', 'external torque y (N·m)', 'external torque z (N·m)',
    'external force x (N)', 'external force y (N)', 'external force z (N)',
  ],
} as const;
