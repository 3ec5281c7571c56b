#pragma once
// Files that are either the old complete version or the new complete one,
// never half-written: every model, checkpoint, figure and report is written
// through here.
//
// What may be replaced: only a regular file. A path that names a directory, a
// device (/dev/full, /dev/null), a FIFO or a socket is refused with an
// advgrad::Error naming what it is, and left alone. A symbolic link is written
// *through*: its target (links followed to the end, at most 40 of them) is
// replaced atomically by the same rules and the link itself stays, so a
// `model.safetensors -> runs/7/model.safetensors` link keeps pointing at the
// new model. A link whose target does not exist creates that target.
//
// Stale temporaries: a process killed mid-write (SIGKILL, power loss) leaves
// its "<name>.tmp-<pid>". Each write first removes, in the directory it writes
// to, every regular file named "*.tmp-<pid>" whose process no longer exists
// (kill(pid, 0) fails with ESRCH); a live process's temporaries are kept.
//
// A full disk (ENOSPC) or a file-size limit (RLIMIT_FSIZE, EFBIG; the CLI
// ignores SIGXFSZ so this is an error, not a signal) fails the write: the
// temporary file is removed and the old file is untouched.
#include <string>

namespace advgrad::io {

// Writes `bytes` to `path` atomically: a temporary file beside the target
// ("<target>.tmp-<pid>"), fsync, then rename over the target. On any failure
// the temporary file is removed, the target is untouched, and advgrad::Error
// names `path` and the reason.
void write_file_atomically(const std::string& path, const std::string& bytes);

// Refuses at once what write_file_atomically(path, ...) would refuse at the
// end, for commands that write after long work (train --out after an hour of
// training): a path that is not a regular file (the same message), or a folder
// where the file cannot be created (missing, not writable, read-only file
// system: probed by creating and removing the temporary the write would use).
// advgrad::Error "cannot use <flag> '<path>': <reason>".
void check_writable(const std::string& path, const std::string& flag);

// Removes the stale "*.tmp-<pid>" files of dead processes in `dir` (see above);
// returns how many. Errors (an unreadable directory) are ignored: cleaning up
// must never stop a write.
int remove_stale_temporaries(const std::string& dir);

}  // namespace advgrad::io
