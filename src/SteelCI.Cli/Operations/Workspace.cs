namespace SteelCI.Cli;

/// <summary>
/// Where a pipeline's local files live: by default <c>.steelci/</c> beside its steelci.yml. SteelCI writes only into a
/// folder it made: a new or empty one (marked with <see cref="MarkerName"/> on first use) or one holding only its own
/// layout. The file-system root, the home folder (or a folder above it) and a file are refused, and so is a folder
/// holding anything else, so neither a run nor <c>clean</c> can touch what a user owns.
/// </summary>
public sealed record Workspace(string Root)
{
    /// <summary>The file that says "SteelCI made this folder"; clean refuses a folder without it (or its layout).</summary>
    public const string MarkerName = ".steelci-workspace";

    /// <summary>Every name SteelCI writes at the top of a workspace (older workspaces have no marker, only these).</summary>
    public static readonly IReadOnlySet<string> Layout = new HashSet<string>(StringComparer.Ordinal)
    {
        MarkerName, "releases", "state", "attempts", "kernels", "trainer", "kaggle", "github-cache", "predict", "plan.png", "actual.png",
    };

    /// <summary>The workspace for a pipeline file; throws <see cref="UsageException"/> for a place SteelCI must not use.</summary>
    public static Workspace For(string specPath, string? explicitRoot)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(
            explicitRoot ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(specPath))!, ".steelci")));
        var what = explicitRoot is null ? $"the workspace {root}" : $"--workspace {explicitRoot}";
        if (root == Path.GetPathRoot(root))
            throw new UsageException($"{what}: the file-system root cannot be a workspace; give a new folder such as ./.steelci");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (home.Length > 0 && IsSameOrAbove(root, Path.TrimEndingDirectorySeparator(Path.GetFullPath(home))))
            throw new UsageException($"{what}: {root} is the home folder or above it; give a new folder such as ./.steelci");
        if (File.Exists(root))
            throw new UsageException($"{what}: {root} is a file, not a folder; give a new folder such as ./.steelci");
        var workspace = new Workspace(root);
        if (workspace.Foreign() is { Count: > 0 } foreign)
            throw new UsageException($"{what}: {root} is not a SteelCI workspace (no {MarkerName}; it holds " +
                $"{string.Join(", ", foreign.Take(3))}{(foreign.Count > 3 ? ", ..." : "")}, which SteelCI did not make); " +
                "give a new or empty folder, SteelCI never writes into or deletes a folder of yours");
        return workspace;
    }

    public string Releases => Path.Combine(Root, "releases");
    public string State => Path.Combine(Root, "state");
    public string Marker => Path.Combine(Root, MarkerName);

    /// <summary>True when the folder exists and SteelCI made it (the marker, or only SteelCI's own layout).</summary>
    public bool Exists => Directory.Exists(Root);

    /// <summary>Creates the folder if needed and marks it as SteelCI's; call before the first write.</summary>
    public Workspace Claim()
    {
        Directory.CreateDirectory(Root);
        if (!File.Exists(Marker))
            File.WriteAllText(Marker, "This folder is a SteelCI workspace: steelci clean deletes it whole.\n");
        return this;
    }

    /// <summary>Top-level entries SteelCI did not make; empty for a new, empty, marked or SteelCI-laid-out folder.</summary>
    public IReadOnlyList<string> Foreign()
    {
        if (!Directory.Exists(Root) || File.Exists(Marker))
            return [];
        return Directory.EnumerateFileSystemEntries(Root).Select(Path.GetFileName).OfType<string>()
            .Where(name => !Layout.Contains(name)).Order(StringComparer.Ordinal).ToList();
    }

    private static bool IsSameOrAbove(string folder, string other) =>
        other == folder || other.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
