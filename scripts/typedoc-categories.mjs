// TypeDoc plugin: groups each entry point's exports into categories by the source file or folder
// they are declared in (core's `registry/` → "TXT registry", a provider's `client.ts` → "Client"),
// so a module page is a handful of sections rather than one flat list. A `@category` tag written
// in a doc comment wins. Loaded by typedoc.json (`plugin`).
import { Comment, CommentTag, Converter, ReflectionKind } from 'typedoc';

/** Folder or file name (without extension) → category. */
const CATEGORIES = {
  // core
  errors: 'Errors',
  endpoint: 'Endpoints',
  domainFilter: 'Domain filters',
  provider: 'Providers',
  plan: 'Planning',
  apply: 'Reconcile and apply',
  reconcile: 'Reconcile and apply',
  registry: 'TXT registry',
  render: 'Rendering',
  logger: 'Logging',
  http: 'HTTP transport',
  testing: 'Testing',
  lists: 'Provider kit',
  providerKit: 'Provider kit',
  // provider packages
  client: 'Client',
  mapping: 'Mapping',
  schemas: 'API schemas',
  lua: 'LUA records',
  dns: 'DNS queries',
  verify: 'Verification',
  version: 'Versions',
};

const title = (name) => name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());

function categoryOf(file) {
  const path = file.split('\\').join('/');
  const inSrc = path.slice(path.lastIndexOf('/src/') + 5).split('/');
  // a folder under src/ names the category; else the file
  const key = inSrc.length > 1 ? inSrc[0] : inSrc[0].replace(/\.[cm]?tsx?$/, '');
  return CATEGORIES[key] ?? title(key);
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(
    Converter.EVENT_RESOLVE_BEGIN,
    (context) => {
      for (const reflection of context.project.getReflectionsByKind(ReflectionKind.SomeExport)) {
        if (!reflection.parent?.kindOf(ReflectionKind.SomeModule | ReflectionKind.Project)) continue;
        const file = reflection.sources?.[0]?.fullFileName;
        if (!file) continue;
        const comment = (reflection.comment ??= new Comment());
        if (comment.blockTags.some((t) => t.tag === '@category')) continue;
        comment.blockTags.push(new CommentTag('@category', [{ kind: 'text', text: categoryOf(file) }]));
      }
    },
    200,
  );
}
