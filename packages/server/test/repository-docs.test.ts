import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// The repository stands alone: every relative link in its Markdown reaches a file inside it, and
// nothing points at documents that live outside it.

const root = resolve(import.meta.dirname, "../../..");
const SKIP = new Set(["node_modules", "dist", ".git", ".turbo", ".lessonkit", "test-artifacts"]);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith(".md") ? [path] : [];
  });
}

const files = markdownFiles(root);

describe("the repository's Markdown", () => {
  it("covers the READMEs and docs/", () => {
    const names = files.map((file) => relative(root, file));
    expect(names).toEqual(
      expect.arrayContaining(["README.md", "docs/lifecycle.md", "docs/money.md", "docs/errors.md", "docs/webhooks.md"]),
    );
  });

  it.each(files.map((file) => [relative(root, file), file]))(
    "%s links only to files inside the repository",
    (_, file) => {
      const text = readFileSync(file, "utf8");
      expect(text).not.toMatch(/\.\.\/shared|DESIGN\.md/);
      const broken: string[] = [];
      for (const [, target = ""] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:|#)/.test(target)) continue;
        const path = resolve(dirname(file), decodeURIComponent(target.split("#")[0] ?? ""));
        if (!path.startsWith(`${root}/`) && path !== root) broken.push(`${target} (outside the repository)`);
        else if (!existsSync(path)) broken.push(`${target} (missing)`);
      }
      expect(broken).toEqual([]);
    },
  );
});
