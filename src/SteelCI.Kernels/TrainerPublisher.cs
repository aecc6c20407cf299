using SteelCI.Hashing;
using SteelCI.Ports;

namespace SteelCI.Kernels;

/// <summary>The trainer's build failed; the message carries the end of the compiler's output.</summary>
public sealed class TrainerBuildException(string message) : Exception(message);

/// <summary>
/// Publishes the trainer project and keeps one immutable, content-addressed bundle per distinct build under
/// <c>{workspace}/trainer/bundles/{hash12}</c>. A bundle folder exists only once complete (staged, then renamed).
/// Framework-dependent by default (run with this machine's dotnet); with <paramref name="selfContainedRuntime"/>
/// (e.g. <c>linux-x64</c>) the bundle carries the .NET runtime and is started through its apphost, as a Kaggle
/// image (no dotnet) needs. That build restores and compiles under <c>{project}/obj/steelci-{rid}/</c>
/// (<c>--artifacts-path</c>), so it never churns the RID-less obj/ folders of ordinary builds and tests; the folder
/// is inside the repository, so PathMap keeps its bytes, and so the bundle hash, independent of the workspace.
/// Publishes of one project are serialised across processes (<see cref="PublishLock"/>): they share its obj/ folders.
/// </summary>
public sealed class TrainerPublisher(IProcessRunner processes, string workspace, string? selfContainedRuntime = null)
{
    public const string FrameworkDependent = "framework-dependent";
    public const string SelfContained = "self-contained";

    /// <summary>The runtime identifier of a self-contained publish, or null for framework-dependent bundles.</summary>
    public string? SelfContainedRuntime { get; } = selfContainedRuntime;

    public async Task<(string Directory, string Hash)> PublishAsync(string project, CancellationToken cancellationToken)
    {
        if (!File.Exists(project))
            throw new TrainerBuildException($"trainer project {project} not found (trainer.project in the pipeline file)");
        var rid = SelfContainedRuntime;
        var publishDir = Path.Combine(workspace, "trainer", rid is null ? "publish" : $"publish-{rid}");
        List<string> arguments = ["publish", project, "-c", "Release", "-o", publishDir, "--nologo", "-v:q", "-p:SteelCIGlibcxxFix=always"];
        if (rid is not null)
            arguments.AddRange(["-r", rid, "--self-contained", "true",
                "--artifacts-path", Path.Combine(Path.GetDirectoryName(Path.GetFullPath(project))!, "obj", $"steelci-{rid}")]);
        string hash;
        using (await PublishLock.AcquireAsync(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(project))!, "obj"), cancellationToken))
        {
            var result = await processes.RunAsync(new ProcessSpec("dotnet", arguments, Path.GetDirectoryName(project)!), cancellationToken);
            if (result.ExitCode != 0)
            {
                var tail = string.Join('\n', result.Output.Split('\n').Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).TakeLast(10));
                throw new TrainerBuildException($"dotnet publish {Path.GetFileName(project)} failed (exit {result.ExitCode}):\n{tail}");
            }
            hash = Sha256.OfDirectory(publishDir, relative => relative != BundleInfo.FileName);
        }
        var bundles = Path.Combine(workspace, "trainer", "bundles");
        var bundle = Path.Combine(bundles, hash[..12]);
        if (Directory.Exists(bundle))
            return (bundle, hash);

        var staging = Path.Combine(bundles, $".staging-{Guid.NewGuid():N}");
        Files.FolderCopy.CopyTree(publishDir, staging);
        var name = Path.GetFileNameWithoutExtension(project);
        var info = new BundleInfo
        {
            Runtime = rid is null ? FrameworkDependent : SelfContained, Entry = name + ".dll", Apphost = name, Hash = hash,
            Executables = ExecutablesIn(staging),
        };
        await File.WriteAllTextAsync(Path.Combine(staging, BundleInfo.FileName),
            System.Text.Json.JsonSerializer.Serialize(info), cancellationToken);
        try
        {
            Directory.Move(staging, bundle);
        }
        catch (IOException) when (Directory.Exists(bundle))
        {
            Directory.Delete(staging, recursive: true); // another runner finished the same bundle first
        }
        return (bundle, hash);
    }

    /// <summary>Files with any execute bit, relative and '/' separated, in ordinal order (none on Windows).</summary>
    public static IReadOnlyList<string> ExecutablesIn(string folder)
    {
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var executables = new List<string>();
        if (OperatingSystem.IsWindows())
            return executables;
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            if ((File.GetUnixFileMode(file) & anyExecute) != 0)
                executables.Add(Path.GetRelativePath(folder, file).Replace('\\', '/'));
        executables.Sort(StringComparer.Ordinal);
        return executables;
    }

    /// <summary>Removes bundle folders that a killed publish left unfinished.</summary>
    public void RemoveUnfinished()
    {
        var bundles = Path.Combine(workspace, "trainer", "bundles");
        if (!Directory.Exists(bundles))
            return;
        foreach (var staging in Directory.EnumerateDirectories(bundles, ".staging-*"))
            Directory.Delete(staging, recursive: true);
    }
}
