internal import CFileSystem

/// Process-wide allocator settings for a batch tool.
package enum MemoryTuning {
    /// Keeps up to 256 MB of freed memory at the top of each heap instead of handing it back to
    /// the kernel whenever 128 kB are free there (glibc's default). Reading documents one after
    /// another on two threads otherwise unmapped and faulted in the same pages again and again,
    /// each unmap stopping the other core to flush its TLB: `tmine extract` of 200 .docx files
    /// spent a seventh of its time there. Peak memory of a 100 MB run did not grow (119 → 104 MB).
    package static func keepFreedMemory() {
        cfilesystem_keep_freed_memory(256 << 20)
    }
}
