#!/usr/bin/env node
import 'reflect-metadata';
import { ConfigError, limitHttpServer } from '@imagelib/config';
import { ConsoleLogger, type LogLevel as NestLogLevel, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { mkdirSync } from 'node:fs';
import { AppModule } from './app.module.js';
import { type ControllerConfig, loadControllerConfig, type LogLevel } from './config/controller-config.js';
import { parseCommandLine } from './command-line.js';
import { requestLog } from './logging/request-log.js';
import { HttpMetrics } from './metrics/http-metrics.js';

/** REST bodies are small (64 KiB at most): a request takes no longer than this to arrive. */
const REST_REQUEST_TIMEOUT_MS = 30_000;

const NEST_LEVELS: Record<LogLevel, NestLogLevel[]> = {
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  info: ['fatal', 'error', 'warn', 'log'],
  warn: ['fatal', 'error', 'warn'],
  error: ['fatal', 'error'],
};

async function bootstrap(config: ControllerConfig): Promise<void> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const logger = new ConsoleLogger({ json: true, flattenParams: true, logLevels: NEST_LEVELS[config.logLevel], redact: ['authorization', 'token', 'ticket', 'secret'] });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forConfig(config), { bufferLogs: true, logger });
  app.useLogger(logger);
  limitHttpServer(app.getHttpServer(), { ...config.httpLimits, requestTimeoutMs: REST_REQUEST_TIMEOUT_MS });
  app.disable('x-powered-by');
  app.use(requestLog());
  app.use(app.get(HttpMetrics).middleware);
  app.useBodyParser('json', { limit: '64kb' });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Image Library controller')
      .setDescription(
        'Operators manage hosts, roles and enrolment tokens. Every route but /healthz, /readyz, /metrics and the event stream (which takes a ticket) needs Authorization: Bearer <operator token>. The dashboard is at /dashboard.',
      )
      .setVersion(process.env.npm_package_version ?? '0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  await app.listen(config.http.port, config.http.host);
  logger.log(`REST API listening on http://${config.http.host}:${config.http.port}/api/v1 (docs at /api/docs)`, 'Bootstrap');
}

const command = parseCommandLine(process.argv.slice(2));
if (command === 'help') {
  process.exit(0);
}
let config: ControllerConfig;
try {
  config = loadControllerConfig(process.env);
} catch (error) {
  process.stderr.write(`imagelib-controller: ${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(2);
}
bootstrap(config).catch((error: unknown) => {
  process.stderr.write(`imagelib-controller: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
