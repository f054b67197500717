// A process that opens (and so migrates) the database at argv[2], then exits: several of these
// started at once are processes starting together on a new database.
import { openDatabase } from "../src/adapters/libsql/database";

const database = await openDatabase(process.argv[2] ?? "");
database.close();
