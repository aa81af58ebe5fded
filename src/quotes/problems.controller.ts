import { Controller, Get, Param } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { ApiError } from '../common/api.errors.js';
import { ApiProblems } from './openapi.js';
import {
  ERROR_CATALOGUE,
  problemType,
  type ErrorCode,
} from '../common/error-catalogue.js';

/** Serves the catalogue entry behind each problem `type` URI. */
@ApiTags('problems')
@Controller('problems')
export class ProblemsController {
  @Get(':slug')
  @ApiOperation({
    summary: 'Catalogue entry of a problem type',
    description: 'The `type` of every problem body points here.',
  })
  @ApiParam({
    name: 'slug',
    description: 'The error code in lower case with hyphens.',
    example: 'symbol-not-found',
  })
  @ApiOkResponse({
    description:
      'The code, its HTTP status, title and whether it fails over to the next source.',
    schema: {
      type: 'object',
      properties: {
        type: { type: 'string', example: '/problems/symbol-not-found' },
        code: { type: 'string', example: 'SYMBOL_NOT_FOUND' },
        status: { type: 'number', example: 404 },
        title: { type: 'string', example: 'Symbol not found' },
        failover: { type: 'boolean', example: true },
      },
    },
  })
  @ApiProblems('NOT_FOUND')
  describe(@Param('slug') slug: string) {
    const code = slug.toUpperCase().replaceAll('-', '_');
    if (!(code in ERROR_CATALOGUE)) {
      throw new ApiError(
        'NOT_FOUND',
        `No problem type ${slug}; see /docs for the error catalogue.`,
      );
    }
    const known = code as ErrorCode;

    return { type: problemType(known), code: known, ...ERROR_CATALOGUE[known] };
  }
}
