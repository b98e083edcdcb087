export { DEMO_TOKEN } from './demo-world.ts';
export { type DemoHandle, runDemoTasks, startDemo } from './run-demo.ts';
