import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { noQuerySchema } from '../quotes/dto/search-query.dto.js';
import { ApiProblems } from '../quotes/openapi.js';
import { requestAuth } from './principal.js';

/** Body of the session check: the verified claims of the bearer token. */
export interface SessionBody {
  authenticated: boolean;
  subject: string | null;
  scopes: string[];
  tier: string | null;
  expiresAt: string | null;
}

@ApiTags('auth')
@Controller('api/session')
export class SessionController {
  @Get()
  @ApiOperation({
    summary: 'Checks the bearer token and describes it',
    description:
      'Checks the token as every `quotes:read` route does, without counting against the rate limit. A reverse proxy can call it to check a request it answers from its own cache. With authentication off, `authenticated` is false.',
  })
  @ApiOkResponse({
    description: 'The token is valid and carries `quotes:read`.',
    schema: {
      type: 'object',
      properties: {
        authenticated: { type: 'boolean' },
        subject: { type: 'string', nullable: true, example: 'key:dashboard' },
        scopes: { type: 'array', items: { type: 'string' } },
        tier: { type: 'string', nullable: true },
        expiresAt: { type: 'string', format: 'date-time', nullable: true },
      },
    },
  })
  @ApiProblems('INVALID_PARAMETER')
  session(
    @Req() request: FastifyRequest,
    @Query({ schema: noQuerySchema }) _query: unknown,
  ): SessionBody {
    const principal = requestAuth(request)?.principal ?? null;
    if (!principal) {
      return {
        authenticated: false,
        subject: null,
        scopes: [],
        tier: null,
        expiresAt: null,
      };
    }

    return {
      authenticated: true,
      subject: principal.subject,
      scopes: [...principal.scopes].toSorted(),
      tier: principal.tier,
      expiresAt: new Date(principal.expiresAt).toISOString(),
    };
  }
}
