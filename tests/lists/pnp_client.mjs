// PnPjs (@pnp/sp, the Microsoft 365 community's JavaScript client) driving the loopback
// SharePoint: items add, update and delete, a batch, paging, GetChanges, files, fields and
// views. Run by tests/lists/test_pnpjs_against_loopback.py; prints one JSON summary.
// Usage: node pnp_client.mjs <site url> <bearer token> <change token> <library server-relative url>
import { spfi, SPBrowser } from "@pnp/sp";
import "@pnp/sp/webs/index.js";
import "@pnp/sp/lists/index.js";
import "@pnp/sp/items/index.js";
import "@pnp/sp/fields/index.js";
import "@pnp/sp/views/index.js";
import "@pnp/sp/files/index.js";
import "@pnp/sp/folders/index.js";
import "@pnp/sp/batching.js";

const [siteUrl, token, changeToken, libraryUrl] = process.argv.slice(2);

function Bearer() {
  return (instance) => {
    instance.on.pre(async (url, init, result) => {
      init.headers = { ...init.headers, Authorization: `Bearer ${token}` };
      return [url, init, result];
    });
    return instance;
  };
}

const sp = spfi(siteUrl).using(SPBrowser({ baseUrl: siteUrl }), Bearer());
const tasks = sp.web.lists.getByTitle("Tasks");
const out = {};

const added = await tasks.items.add({ Title: "pnp fictional", status: "Open" });
const id = added.Id ?? added.ID ?? added.data?.Id;
out.added = id;
await tasks.items.getById(id).update({ status: "Done" });
out.updated = (await tasks.items.getById(id).select("status")()).status;

const [batched, execute] = sp.batched();
const batchTasks = batched.web.lists.getByTitle("Tasks");
for (let n = 0; n < 3; n++) batchTasks.items.add({ Title: `pnp batch ${n}`, status: "Open" });
await execute();

let seen = 0;
let pages = 0;
for await (const page of tasks.items.top(2)) {
  pages += 1;
  seen += page.length;
}
out.paged = { pages, seen };

const changes = await tasks.getChanges({ Item: true, Add: true, Update: true, ChangeTokenStart: { StringValue: changeToken } });
out.changes = changes.length;

await tasks.items.getById(id).delete();
out.deleted = id;

const folder = sp.web.getFolderByServerRelativePath(libraryUrl);
await folder.files.addUsingPath("O'Brien #7 50%.docx", new TextEncoder().encode("pnp fictional"), { Overwrite: true });
const buffer = await sp.web.getFileByServerRelativePath(`${libraryUrl}/O'Brien #7 50%.docx`).getBuffer();
out.file = new TextDecoder().decode(buffer);

out.fields = (await tasks.fields.select("InternalName")()).map((f) => f.InternalName);
out.views = (await tasks.views()).length;
console.log(JSON.stringify(out));
