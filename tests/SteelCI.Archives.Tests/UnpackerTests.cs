using System.Formats.Tar;
using System.IO.Compression;
using SteelCI.Archives;
using SteelCI.Testing;

namespace SteelCI.Archives.Tests;

/// <summary>Packing is deterministic and round-trips; unpacking refuses every kind of entry that escapes its folder,
/// names the archive and the entry, and writes nothing.</summary>
public sealed class UnpackerTests : IDisposable
{
    private readonly TempDirectory _dir = new("archives");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_packed_folder_unpacks_to_the_same_files_and_the_same_files_pack_to_the_same_bytes()
    {
        _dir.Write("src/a.txt", "alpha");
        _dir.Write("src/sub/deeper/b.bin", new string('x', 10_000));
        _dir.Write("src/c d.txt", "with a space");
        var first = _dir.Combine("one.zip");
        var second = _dir.Combine("two.zip");
        ZipPacker.Pack(_dir.Combine("src"), first);
        File.SetLastWriteTimeUtc(_dir.Combine("src", "a.txt"), new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        ZipPacker.Pack(_dir.Combine("src"), second);

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
        Assert.False(File.Exists(first + ".partial"));
        var written = SafeUnpacker.Unpack(first, _dir.Combine("out"));
        Assert.Equal(["a.txt", "c d.txt", "sub/deeper/b.bin"], written.Order(StringComparer.Ordinal));
        Assert.Equal("alpha", File.ReadAllText(_dir.Combine("out", "a.txt")));
        Assert.Equal(new string('x', 10_000), File.ReadAllText(_dir.Combine("out", "sub", "deeper", "b.bin")));
    }

    [Fact]
    public void Level_zero_stores_and_a_deflate_level_shrinks_compressible_files()
    {
        _dir.Write("src/text.txt", string.Concat(Enumerable.Repeat("steel defect ", 20_000)));
        var stored = ZipPacker.Pack(_dir.Combine("src"), _dir.Combine("stored.zip"), level: 0);
        var deflated = ZipPacker.Pack(_dir.Combine("src"), _dir.Combine("deflated.zip"), level: 1);
        Assert.True(stored > 260_000, $"stored {stored}");
        Assert.True(deflated < stored / 10, $"deflated {deflated} of stored {stored}");
        Assert.Throws<ArgumentOutOfRangeException>(() => ZipPacker.Pack(_dir.Combine("src"), _dir.Combine("x.zip"), level: 10));
    }

    [Fact]
    public void An_entry_climbing_out_with_dot_dot_is_refused()
    {
        var zip = Zip(("ok.txt", null), ("data/../../evil.txt", null));
        AssertRefused(zip, "data/../../evil.txt", "'..'");
    }

    [Fact]
    public void An_entry_with_an_absolute_path_is_refused()
    {
        var zip = Zip(("ok.txt", null), ("/etc/evil.txt", null));
        AssertRefused(zip, "/etc/evil.txt", "absolute path");
    }

    [Fact]
    public void An_entry_with_a_drive_rooted_path_is_refused()
    {
        var zip = Zip(("C:/evil.txt", null));
        AssertRefused(zip, "C:/evil.txt", "absolute path");
    }

    [Fact]
    public void A_zip_symbolic_link_is_refused()
    {
        // Info-ZIP keeps a symlink as an entry whose Unix mode is S_IFLNK and whose bytes are the target.
        var zip = Zip(("ok.txt", null), ("link", 0xA1FF));
        AssertRefused(zip, "link", "symbolic link");
    }

    [Fact]
    public void A_tar_symbolic_link_is_refused()
    {
        var tar = Tar(new PaxTarEntry(TarEntryType.SymbolicLink, "passwd") { LinkName = "/etc/passwd" });
        AssertRefused(tar, "passwd", "link");
    }

    [Fact]
    public void A_tar_hard_link_is_refused()
    {
        var tar = Tar(new PaxTarEntry(TarEntryType.HardLink, "shadow") { LinkName = "../../etc/shadow" });
        AssertRefused(tar, "shadow", "link");
    }

    [Fact]
    public void A_damaged_archive_is_refused_with_its_name()
    {
        var zip = _dir.Write("broken.zip", "PK\u0003\u0004 this is not a zip");
        var error = Assert.ThrowsAny<Exception>(() => SafeUnpacker.Unpack(zip, _dir.Combine("out"), "asset broken.zip"));
        Assert.Contains("asset broken.zip", error.Message);
        Assert.False(Directory.Exists(_dir.Combine("out")) && Directory.EnumerateFileSystemEntries(_dir.Combine("out")).Any());
    }

    private void AssertRefused(string archive, string entry, string reason)
    {
        var target = _dir.Combine("out");
        var error = Assert.Throws<UnsafeArchiveException>(() => SafeUnpacker.Unpack(archive, target, "release x: asset steelci-files.zip"));
        Assert.Contains("release x: asset steelci-files.zip", error.Message);
        Assert.Contains($"'{entry}'", error.Message);
        Assert.Contains(reason, error.Message);
        Assert.Equal(entry, error.Entry);
        // Checked before writing: not even the good entries landed.
        Assert.False(Directory.Exists(target));
        Assert.False(File.Exists(_dir.Combine("evil.txt")));
    }

    /// <summary>A zip made with .NET's own writer, so the test does not trust the packer under test; a mode sets the
    /// entry's Unix file type and permissions as Info-ZIP does.</summary>
    private string Zip(params (string Name, int? UnixMode)[] entries)
    {
        var path = _dir.Combine($"crafted-{Guid.NewGuid():N}.zip");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
            foreach (var (name, mode) in entries)
            {
                var entry = zip.CreateEntry(name);
                if (mode is { } m)
                    entry.ExternalAttributes = m << 16;
                using var writer = new StreamWriter(entry.Open());
                writer.Write(mode is null ? "content" : "/etc/passwd");
            }
        return path;
    }

    private string Tar(params TarEntry[] entries)
    {
        var path = _dir.Combine($"crafted-{Guid.NewGuid():N}.tar");
        using (var stream = File.Create(path))
        using (var writer = new TarWriter(stream))
        {
            var ok = new PaxTarEntry(TarEntryType.RegularFile, "ok.txt") { DataStream = new MemoryStream("ok"u8.ToArray()) };
            writer.WriteEntry(ok);
            foreach (var entry in entries)
                writer.WriteEntry(entry);
        }
        return path;
    }
}
