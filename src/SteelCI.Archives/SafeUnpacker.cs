using SharpCompress.Archives;
using SharpCompress.Archives.Zip;
using SharpCompress.Common;
using SharpCompress.Readers;

namespace SteelCI.Archives;

/// <summary>
/// Unpacks a zip or tar into a folder, refusing any entry that would land outside it: a <c>..</c> segment, an absolute
/// or drive-rooted path, a symbolic or hard link. Every entry is checked before the first byte is written, so a refused
/// archive leaves nothing behind; files are written as regular files with the process's default mode.
/// </summary>
public static class SafeUnpacker
{
    /// <summary>Unix file-type bits in a zip entry's external attributes (upper 16 bits).</summary>
    private const int TypeMask = 0xF000, SymbolicLink = 0xA000, RegularFile = 0x8000, Directory_ = 0x4000;

    /// <param name="archivePath">The zip or tar on disk.</param>
    /// <param name="targetFolder">Created when missing; entries land below it.</param>
    /// <param name="archiveName">How errors name the archive (a release asset, a dataset file).</param>
    /// <returns>The relative paths ('/' separated) of the files written.</returns>
    public static IReadOnlyList<string> Unpack(string archivePath, string targetFolder, string? archiveName = null)
    {
        archiveName ??= Path.GetFileName(archivePath);
        try
        {
            return UnpackChecked(archivePath, targetFolder, archiveName);
        }
        catch (Exception error) when (error is SharpCompressException or InvalidDataException or EndOfStreamException)
        {
            throw new UnsafeArchiveException(archiveName, "", $"cannot be read as a zip or tar ({error.Message})");
        }
    }

    private static IReadOnlyList<string> UnpackChecked(string archivePath, string targetFolder, string archiveName)
    {
        var root = Path.GetFullPath(targetFolder);
        using var archive = ArchiveFactory.OpenArchive(archivePath, new ReaderOptions());
        var files = new List<(IArchiveEntry Entry, string Relative)>();
        foreach (var entry in archive.Entries)
        {
            var key = entry.Key ?? "";
            var relative = Check(archiveName, entry, key);
            if (entry.IsDirectory)
                continue;
            var full = Path.GetFullPath(Path.Combine(root, relative));
            if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new UnsafeArchiveException(archiveName, key, $"would be written outside {targetFolder}");
            files.Add((entry, relative));
        }
        var duplicate = files.GroupBy(f => f.Relative, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new UnsafeArchiveException(archiveName, duplicate.Key, "appears more than once");

        Directory.CreateDirectory(root);
        foreach (var (entry, relative) in files)
        {
            var target = Path.Combine(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var input = entry.OpenEntryStream();
            using var output = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            input.CopyTo(output);
        }
        return files.Select(f => f.Relative).ToList();
    }

    /// <summary>The entry's path relative to the target, or an exception saying why it may not be unpacked.</summary>
    private static string Check(string archiveName, IArchiveEntry entry, string key)
    {
        if (!string.IsNullOrEmpty(entry.LinkTarget))
            throw new UnsafeArchiveException(archiveName, key, $"is a link (to '{entry.LinkTarget}'); links are not unpacked");
        // Zip keeps the Unix mode in the external attributes (tar's links come as LinkTarget above; its Attrib throws).
        if (entry is ZipArchiveEntry && entry.Attrib is { } attributes && (attributes >>> 16 & TypeMask) is var type && type != 0 && type != RegularFile && type != Directory_)
            throw new UnsafeArchiveException(archiveName, key, type == SymbolicLink ? "is a symbolic link; links are not unpacked" : "is not a regular file");
        if (key.Length == 0)
            throw new UnsafeArchiveException(archiveName, key, "has an empty name");
        var path = key.Replace('\\', '/');
        if (path.StartsWith('/') || (path.Length >= 2 && path[1] == ':'))
            throw new UnsafeArchiveException(archiveName, key, "has an absolute path");
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => s == ".."))
            throw new UnsafeArchiveException(archiveName, key, "climbs out of its folder with '..'");
        if (segments.Any(s => s.Any(char.IsControl)))
            throw new UnsafeArchiveException(archiveName, key, "has a control character in its name");
        return string.Join('/', segments.Where(s => s != "."));
    }
}
