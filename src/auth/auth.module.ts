import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  getOptionsToken,
  getStorageToken,
  type ThrottlerModuleOptions,
} from '@nestjs/throttler';
import { AppConfig } from '../config/app-config.js';
import {
  AnonymousAuthenticator,
  StreamAuthenticator,
} from '../streaming/stream-auth.js';
import { ApiKeyService } from './api-keys.service.js';
import { AccessGuard, AuthenticationGuard } from './authentication.guard.js';
import { JwtVerifier } from './jwt-verifier.service.js';
import { RateLimitStorage } from './rate-limit-storage.service.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { FastPathAdmission } from './fast-path-admission.service.js';
import { JwtStreamAuthenticator } from './stream-authenticator.service.js';
import { SessionController } from './session.controller.js';
import { TokenController } from './token.controller.js';

/**
 * JWT authentication, API-key token issuing, scopes and rate limits. The
 * three global guards run in the order listed: authenticate, count, then
 * reject or admit.
 */
@Module({
  controllers: [TokenController, SessionController],
  providers: [
    JwtVerifier,
    ApiKeyService,
    RateLimitStorage,
    FastPathAdmission,
    {
      provide: getOptionsToken(),
      useFactory: (config: AppConfig): ThrottlerModuleOptions => ({
        throttlers: [
          {
            name: 'default',
            limit: config.security.rateLimit.requests,
            ttl: config.security.rateLimit.windowMs,
          },
        ],
      }),
      inject: [AppConfig],
    },
    { provide: getStorageToken(), useExisting: RateLimitStorage },
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: AccessGuard },
    {
      provide: StreamAuthenticator,
      useFactory: (config: AppConfig, verifier: JwtVerifier) =>
        config.security.authEnabled
          ? new JwtStreamAuthenticator(verifier)
          : new AnonymousAuthenticator(),
      inject: [AppConfig, JwtVerifier],
    },
  ],
  exports: [StreamAuthenticator, FastPathAdmission],
})
export class AuthModule {}
