export { type AppDeps, type BuiltApp, buildApp } from './app';
export { type Config, ConfigSchema, loadConfig } from './config';
export { type Database, openDatabase } from './platform/db';
export { migrate } from './platform/migrations';
