namespace SteelCI.BadInput.Tests;

/// <summary>
/// Where SteelCI may write and delete: clean and prune touch only a workspace SteelCI made; the root, the home folder,
/// a file and a folder of the user's are refused and left exactly as they were.
/// </summary>
public static class WorkspaceCases
{
    private static void DecoyKept(Sandbox box, SteelCI.Testing.SteelciProcess.Result result)
    {
        Assert.Equal("four years of work\n", File.ReadAllText(Path.Combine(box.Decoy, "thesis.txt")));
        Assert.True(File.Exists(Path.Combine(box.Decoy, "data", "results.csv")), result.Output);
    }

    private static Case Refused(string name, string command, Func<Sandbox, string> workspace, Func<Sandbox, string> where, Action<Sandbox>? setup = null) =>
        new("workspace", name, 2, b => [command, b.Spec, "--workspace", workspace(b)], where) { Setup = setup, Then = DecoyKept };

    /// <summary>A workspace as steelci run leaves it (marker, state, a release).</summary>
    private static void Made(Sandbox box)
    {
        box.Write(".steelci/.steelci-workspace", "This folder is a SteelCI workspace: steelci clean deletes it whole.\n");
        box.Write(".steelci/state/state.json", "{}");
        box.Write(".steelci/releases/tiny-s1-0123456789ab/model.bin", "weights");
    }

    public static IEnumerable<Case> All() =>
    [
        Refused("clean a folder of the user's (decoy)", "clean", b => b.Decoy, b => $"{b.Decoy} is not a SteelCI workspace"),
        Refused("clean /", "clean", _ => "/", _ => "--workspace /: the file-system root"),
        Refused("clean the home folder", "clean", b => b.Home, b => $"{b.Home} is the home folder"),
        Refused("clean the folder above home", "clean", b => b.Root, b => $"{b.Root} is the home folder or above it"),
        Refused("clean a file", "clean", b => Path.Combine(b.Decoy, "thesis.txt"), b => $"{Path.Combine(b.Decoy, "thesis.txt")} is a file"),
        Refused("clean a link to the decoy", "clean", b => Path.Combine(b.Work, "link"), b => "is not a SteelCI workspace",
            b => File.CreateSymbolicLink(Path.Combine(b.Work, "link"), b.Decoy)),
        Refused("clean the folder holding the pipeline file", "clean", b => b.Work, b => $"{b.Work} is not a SteelCI workspace"),
        Refused("clean ~ spelled with ..", "clean", b => Path.Combine(b.Home, "..", "home"), b => "is the home folder"),
        Refused("run into the decoy", "run", b => b.Decoy, b => $"{b.Decoy} is not a SteelCI workspace"),
        Refused("run into /", "run", _ => "/", _ => "the file-system root"),
        Refused("prune the decoy", "prune", b => b.Decoy, b => $"{b.Decoy} is not a SteelCI workspace"),
        Refused("status of a file", "status", b => Path.Combine(b.Decoy, "thesis.txt"), b => "is a file"),
        Refused("plan into the decoy", "plan", b => b.Decoy, b => $"{b.Decoy} is not a SteelCI workspace"),
        Refused("retry in the decoy", "retry", b => b.Decoy, b => $"{b.Decoy} is not a SteelCI workspace"),
        new("workspace", "default .steelci is a file", 2, b => ["status", b.Spec], b => $"{b.Workspace} is a file")
        {
            Setup = b => b.Write(".steelci", "not a folder"),
        },
        new("workspace", "clean a workspace SteelCI made", 0, b => ["clean", b.Spec], b => $"Removed {b.Workspace}")
        {
            Setup = Made,
            Then = (b, r) => { Assert.False(Directory.Exists(b.Workspace), r.Output); DecoyKept(b, r); },
        },
        new("workspace", "clean an older workspace (SteelCI's layout, no marker)", 0, b => ["clean", b.Spec], b => $"Removed {b.Workspace}")
        {
            Setup = b => { b.Write(".steelci/state/state.json", "{}"); b.Write(".steelci/attempts/a1/log.txt", "x"); },
            Then = (b, r) => Assert.False(Directory.Exists(b.Workspace), r.Output),
        },
        new("workspace", "clean removes a link inside the workspace, not what it points at", 0, b => ["clean", b.Spec], b => $"Removed {b.Workspace}")
        {
            Setup = b => { Made(b); File.CreateSymbolicLink(Path.Combine(b.Workspace, "attempts"), b.Decoy); },
            Then = (b, r) => { Assert.False(Directory.Exists(b.Workspace), r.Output); DecoyKept(b, r); },
        },
        new("workspace", "clean a workspace that is not there", 0, b => ["clean", b.Spec], b => "Nothing to remove") { MayWrite = _ => [] },
        new("workspace", "validate writes nothing at all", 0, b => ["validate", b.Spec], _ => "s1") { MayWrite = _ => [] },
    ];
}
