namespace SteelCI.Training;

/// <summary>
/// The files of one periodic checkpoint, each written beside its final name (<c>name.tmp</c>) and renamed only once the
/// manifest that lists them is ready (<see cref="ManifestWriter.Write"/>). Until then the folder still holds the
/// previous checkpoint and the manifest that matches it, so a job killed while a checkpoint is written (or hashed)
/// leaves a whole earlier checkpoint; only a kill between the few renames of <see cref="Commit"/> can tear it.
/// </summary>
public sealed class PendingFiles
{
    private const string Suffix = ".tmp";
    private readonly List<string> _paths = [];

    public IReadOnlyList<string> Paths => _paths;

    /// <summary>Writes the file that will be <paramref name="path"/> to its temporary name.</summary>
    public void Write(string path, Action<string> write)
    {
        write(path + Suffix);
        if (!_paths.Contains(path))
            _paths.Add(path);
    }

    /// <summary>Where the bytes that will be <paramref name="path"/> are now: its temporary name while pending.</summary>
    public string Current(string path) => _paths.Contains(path) ? path + Suffix : path;

    /// <summary>Renames every pending file to its final name.</summary>
    public void Commit()
    {
        foreach (var path in _paths)
            File.Move(path + Suffix, path, overwrite: true);
        _paths.Clear();
    }

    /// <summary>Writes <paramref name="path"/> now (temporary name, then rename), or leaves it pending when a batch is given.</summary>
    public static void Replace(string path, Action<string> write, PendingFiles? batch)
    {
        if (batch is not null)
        {
            batch.Write(path, write);
            return;
        }
        write(path + Suffix);
        File.Move(path + Suffix, path, overwrite: true);
    }
}
