export { DEMO_USAGE, type DemoArgs, parseDemoArgs } from './args.ts';
export { DEMO_TOKEN, type DemoClient, type DemoRole, demoClients } from './demo-world.ts';
export { type DemoHandle, type DemoOptions, runDemoTasks, startDemo, TASK_ORDER } from './run-demo.ts';
export { DEMO_TIME_SCALE, HEAVY_INSIGHTS_QUOTA, sandboxOptionsFor } from './sandbox-setup.ts';
export { type ClientSummary, collectSummaries, expectationProblems, renderSummaryTable } from './summary.ts';
