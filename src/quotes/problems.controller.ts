import { Controller, Get, Param } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ApiError } from '../common/api.errors.js';
import {
  ERROR_CATALOGUE,
  problemType,
  type ErrorCode,
} from '../common/error-catalogue.js';

/** Serves the catalogue entry behind each problem `type` URI. */
@ApiExcludeController()
@Controller('problems')
export class ProblemsController {
  @Get(':slug')
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
