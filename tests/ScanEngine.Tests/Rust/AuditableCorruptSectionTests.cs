using ImageScanning.ScanEngine.Ecosystems.Rust;

namespace ImageScanning.ScanEngine.Tests.Rust;

/// <summary>
/// A .dep-v0 section whose zlib stream asks for a preset dictionary makes the inflater fail with ZLibException, not
/// InvalidDataException (found by the fuzzer: it crashed the scan). Such a section is unreadable, not a crash.
/// </summary>
public sealed class AuditableCorruptSectionTests
{
    [Test]
    public void A_zlib_stream_that_wants_a_dictionary_is_an_unreadable_section()
    {
        // CMF 0x78, FLG 0xBB: a valid header check ((0x78 << 8 | 0xBB) % 31 == 0) with FDICT set, then a dictionary id.
        byte[] section = [0x78, 0xBB, 0x00, 0x00, 0x00, 0x01, 0x4B, 0x4C, 0x4A, 0x06, 0x00];
        Assert.That(AuditableDependencyInfo.TryParse(section), Is.Null);
    }
}
