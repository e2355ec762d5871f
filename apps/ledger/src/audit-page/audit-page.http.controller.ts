import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import { type FastifyReply } from 'fastify';
import { NotFoundError, PublicRoute } from '@ledger/platform';

/**
 * The page may load its own script, style and images and call the ledger's own API, nothing else: no inline
 * script or style, no framing, no form posting anywhere. The data it shows is hostile input, so this is the
 * second line behind rendering it as text.
 */
export const AUDIT_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_FILES: Record<string, { file: string; type: string }> = {
  '': { file: 'index.html', type: 'text/html; charset=utf-8' },
  'audit-page.js': { file: 'audit-page.js', type: 'text/javascript; charset=utf-8' },
  'audit-page.css': { file: 'audit-page.css', type: 'text/css; charset=utf-8' },
};

interface PageFile {
  content: Buffer;
  type: string;
  etag: string;
}

/**
 * GET /audit and its two assets: a static page, public because it holds no data. Everything it shows comes
 * from the audit API, called from the browser with the key the person types in, so the API's auth applies.
 * Files are read once each; `no-cache` with an ETag lets a browser keep them and still see a new version.
 */
@Controller('audit')
@PublicRoute()
export class AuditPageHttpController {
  private readonly files = new Map<string, PageFile>();

  @Get()
  page(@Headers('if-none-match') ifNoneMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Buffer | undefined {
    return this.serve('', ifNoneMatch, reply);
  }

  @Get(':asset')
  asset(@Param('asset') name: string, @Headers('if-none-match') ifNoneMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Buffer | undefined {
    if (name === '' || !Object.hasOwn(PAGE_FILES, name)) throw new NotFoundError(`no audit page asset ${JSON.stringify(name.slice(0, 200))}`);
    return this.serve(name, ifNoneMatch, reply);
  }

  private serve(name: string, ifNoneMatch: string | undefined, reply: FastifyReply): Buffer | undefined {
    const file = this.file(name);
    void reply
      .header('content-type', file.type)
      .header('content-security-policy', AUDIT_PAGE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .header('etag', file.etag);
    if (ifNoneMatch === file.etag) {
      void reply.status(304);
      return undefined;
    }
    return file.content;
  }

  private file(name: string): PageFile {
    let file = this.files.get(name);
    if (!file) {
      const { file: fileName, type } = PAGE_FILES[name]!;
      // Beside this module in the source tree and in dist/ alike: the build copies non-TypeScript files.
      const content = readFileSync(join(__dirname, 'assets', fileName));
      file = { content, type, etag: `"${createHash('sha256').update(content).digest('base64url').slice(0, 27)}"` };
      this.files.set(name, file);
    }
    return file;
  }
}
