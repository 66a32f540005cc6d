internal import CFileSystem

/// Process-wide allocator settings for a batch tool.
package enum MemoryTuning {
    /// Keeps up to 256 MB of freed memory at the top of each heap instead of handing it back to
    /// the kernel whenever 128 kB are free there (glibc's default). Reading documents one after
    /// another on two threads otherwise unmapped and faulted in the same pages again and again,
    /// each unmap stopping the other core to flush its TLB: `tmine extract` of 200 .docx files
    /// spent a seventh of its time there. Peak memory of a 100 MB run did not grow (119 → 104 MB).
    ///
    /// And serves blocks of up to 1 MB from the heap. Setting the trim threshold stops glibc from
    /// raising its 128 kB mapping threshold as it otherwise does, so every larger block (a Word
    /// body as Word writes it, ~400 kB inflated, and libxml2's copy of it; a long document's
    /// token arrays) was mapped, faulted in page by page and unmapped again: 38,500 page faults
    /// for `tmine extract` of the 10 MB corpus as Word files (1,600 now), 76,000 for a cold 100 MB
    /// run (26,000 now), whose peak memory grows by 5 MB (84 → 89 MB).
    package static func tuneAllocator() {
        cfilesystem_tune_malloc(256 << 20, 1 << 20)
    }
}
