import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import {
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblems } from '../quotes/openapi.js';
import { ApiKeyService, type IssuedToken } from './api-keys.service.js';

@ApiTags('auth')
@Controller('auth')
export class TokenController {
  constructor(private readonly apiKeys: ApiKeyService) {}

  @Post('token')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchanges an API key for a short-lived bearer token',
    description:
      'Send the key as `{"apiKey": "..."}` or in an `X-API-Key` header. Rate limited per client address (AUTH_TOKEN_RATE_LIMIT).',
  })
  @ApiBody({
    required: false,
    schema: {
      type: 'object',
      properties: { apiKey: { type: 'string' } },
    },
  })
  @ApiHeader({ name: 'X-API-Key', required: false })
  @ApiOkResponse({
    description: 'A bearer token for `Authorization: Bearer <access_token>`.',
    schema: {
      type: 'object',
      properties: {
        access_token: { type: 'string' },
        token_type: { type: 'string', example: 'Bearer' },
        expires_in: { type: 'integer', example: 900 },
        scope: { type: 'string', example: 'quotes:read history:read' },
      },
    },
  })
  @ApiProblems('UNAUTHORIZED', 'RATE_LIMITED')
  token(
    @Body() body: unknown,
    @Headers('x-api-key') header: string | undefined,
  ): Promise<IssuedToken> {
    const fromBody =
      typeof body === 'object' &&
      body !== null &&
      'apiKey' in body &&
      typeof body.apiKey === 'string'
        ? body.apiKey
        : null;

    return this.apiKeys.issue(fromBody ?? header ?? null);
  }
}
