export { type AppDeps, type BuiltApp, buildApp } from './app';
export { type Config, ConfigSchema, loadConfig } from './config';
export { type Database, openDatabase } from './platform/db';
export { migrate } from './platform/migrations';
export { type RunningServer, startServer } from './server';
export { SYSTEM_ACTOR } from './platform/context';
