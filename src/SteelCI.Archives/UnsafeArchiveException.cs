namespace SteelCI.Archives;

/// <summary>An archive that cannot be unpacked as it is: an entry escapes its folder, is a link, or the archive is damaged.
/// The message names the archive and the entry.</summary>
public sealed class UnsafeArchiveException(string archive, string entry, string reason)
    : Exception($"archive {archive}: entry '{entry}' {reason}; nothing was unpacked")
{
    public string Archive { get; } = archive;
    public string Entry { get; } = entry;
}
