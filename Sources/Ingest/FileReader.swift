import Corpus
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Ingestor {
    /// The bytes of a transcript file, or an error that says why not in words a person can act
    /// on: a dangling or looping symbolic link, a folder, a named pipe or device (never opened in
    /// a way that could block), a file this user may not read.
    public static func contents(of path: String, source: String? = nil) throws(IngestError) -> Data {
        let name = source ?? path
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = errno
            var link = stat()
            if lstat(path, &link) == 0, (link.st_mode & S_IFMT) == S_IFLNK {
                throw IngestError(
                    .unreadableFile, file: name,
                    message: reason == ELOOP
                        ? "a symbolic link that loops back on itself" : "a symbolic link to a file that does not exist",
                    hint: "remove the link or point it at the transcript")
            }
            throw IngestError(.unreadableFile, file: name, message: AtomicFile.describe(openError: reason))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR:
            throw IngestError(
                .isDirectory, file: name, message: "this is a folder, not a transcript file",
                hint: "pass the folder itself to read every transcript in it")
        default:
            throw IngestError(
                .unreadableFile, file: name, message: "not a regular file (a pipe, socket or device); not read",
                hint: "copy the transcript into an ordinary file")
        }
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw IngestError(.unreadableFile, file: name, message: AtomicFile.describe(openError: errno))
        }
        defer { close(descriptor) }
        var data = Data(count: Int(info.st_size))
        var filled = 0
        var failure: Int32 = 0
        data.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            while filled < buffer.count {
                let count = Glibc.read(descriptor, base + filled, buffer.count - filled)
                if count < 0 && errno == EINTR { continue }
                if count < 0 { failure = errno }
                if count <= 0 { break }
                filled += count
            }
        }
        if failure != 0 {
            throw IngestError(.unreadableFile, file: name, message: AtomicFile.describe(openError: failure))
        }
        // A file that shrank while being read is read as it now is; one that grew, likewise.
        if filled < data.count { data.removeSubrange(filled...) }
        var more = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = more.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            data.append(contentsOf: more[..<count])
        }
        return data
    }
}
