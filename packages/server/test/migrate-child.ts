// A process that opens (and so migrates) the database at argv[2], then exits: several of these
// started at once are processes starting together on a new database.
import { openStorage } from "../src/adapters/storage";

const database = await openStorage(process.argv[2] ?? "");
await database.close();
