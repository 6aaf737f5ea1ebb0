// What the libvirt oracle test needs of the engine, bundled on the fly by libvirt.test.mjs (esbuild).
export { getKnowledgeBase } from '../../server/src/kb/knowledge-base';
export { Project } from '../../server/src/services/project';
export { explainMachine } from '../../server/src/services/explain';
export { exportLibvirt, importLibvirt } from '../../server/src/interop/libvirt';
export { renderMtype } from '../../server/src/interop/imported';
