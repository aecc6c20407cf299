using System.CommandLine;
using System.Text;
using Spectre.Console;
using SteelCI.GitHub;
using SteelCI.Kaggle.Api;
using SteelCI.Kaggle.Credentials;
using SteelCI.Local;
using SteelCI.Ports;

namespace SteelCI.Cli;

/// <summary><c>steelci doctor</c>'s checks of this machine: dotnet, python3, libstdc++, free disk.</summary>
public static partial class DoctorCommand
{
    private static async Task<Finding> DotnetAsync(IProcessRunner processes, CancellationToken cancellationToken)
    {
        const string fix = "install the .NET 10 SDK: https://dotnet.microsoft.com/download/dotnet/10.0";
        var version = await VersionOfAsync(processes, "dotnet", ["--version"], cancellationToken);
        if (version is null)
            return new("local", "dotnet", Level.Fail, "dotnet is not on PATH (it builds and publishes the trainer)", fix);
        var major = int.TryParse(version.Split('.')[0], out var m) ? m : 0;
        return major >= 10
            ? new("local", "dotnet", Level.Ok, $"SDK {version}")
            : new("local", "dotnet", Level.Fail, $"SDK {version}; SteelCI needs .NET 10", fix);
    }

    private static async Task<Finding> PythonAsync(IProcessRunner processes, CancellationToken cancellationToken)
    {
        var version = await VersionOfAsync(processes, "python3", ["--version"], cancellationToken);
        return version is null
            ? new("local", "python3", Level.Fail, "python3 is not on PATH (the kernel launcher is Python, as on Kaggle)",
                "sudo apt-get install python3 (or your distribution's package)")
            : new("local", "python3", Level.Ok, version);
    }

    private static async Task<string?> VersionOfAsync(IProcessRunner processes, string program, string[] arguments, CancellationToken cancellationToken)
    {
        try
        {
            var result = await processes.RunAsync(new ProcessSpec(program, arguments, Environment.CurrentDirectory), cancellationToken);
            return result.ExitCode == 0 ? result.Output.Trim().Split('\n')[0].Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>TorchSharp 0.107 asks for GLIBCXX_3.4.32; without it the build weakens that need (the glibcxx fix).</summary>
    public static Finding LibStdCxx()
    {
        var path = LibStdCxxCandidates.FirstOrDefault(File.Exists);
        if (path is null)
            return new("local", "libstdc++", Level.Warn, "libstdc++.so.6 not found in the usual places; TorchSharp needs it",
                "sudo apt-get install libstdc++6");
        var bytes = File.ReadAllBytes(path);
        var has = Contains(bytes, "GLIBCXX_3.4.32"u8);
        var newest = Enumerable.Range(20, 20).Reverse().FirstOrDefault(n => Contains(bytes, Encoding.ASCII.GetBytes($"GLIBCXX_3.4.{n}\0")));
        return has
            ? new("local", "libstdc++", Level.Ok, $"{path} has GLIBCXX_3.4.32; the glibcxx fix is not needed")
            : new("local", "libstdc++", Level.Ok, $"{path} stops at GLIBCXX_3.4.{newest}: the glibcxx fix is needed and applied automatically " +
                "by the build and inside every kernel (docs/contracts.md#the-glibcxx-fix)");
    }

    private static bool Contains(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private static Finding Disk(string workspace)
    {
        var existing = new DirectoryInfo(workspace);
        while (existing is not null && !existing.Exists)
            existing = existing.Parent;
        var drive = new DriveInfo(existing?.FullName ?? "/");
        var free = drive.AvailableFreeSpace / (1024.0 * 1024 * 1024);
        var detail = $"{free:0.#} GiB free for {workspace}";
        const string fix = "free space (steelci prune, steelci clean, ~/.nuget/packages) or pass --workspace on a larger disk";
        return free < 2 ? new("local", "disk", Level.Fail, detail + " (TorchSharp alone takes ~1 GiB per trainer bundle)", fix)
            : free < 10 ? new("local", "disk", Level.Warn, detail, fix)
            : new("local", "disk", Level.Ok, detail);
    }
}
