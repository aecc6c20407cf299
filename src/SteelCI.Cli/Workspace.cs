namespace SteelCI.Cli;

/// <summary>Where a pipeline's local files live: by default <c>.steelci/</c> beside its steelci.yml.</summary>
public sealed record Workspace(string Root)
{
    public static Workspace For(string specPath, string? explicitRoot) =>
        new(Path.GetFullPath(explicitRoot ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(specPath))!, ".steelci")));

    public string Releases => Path.Combine(Root, "releases");
    public string State => Path.Combine(Root, "state");
}
