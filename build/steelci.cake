// Runs the steelci executable built from src/SteelCI.Cli: Cake tasks hold no logic of their own.
public static class SteelCi
{
    public static void Run(ICakeContext context, BuildParameters parameters, string command, params string[] extra)
    {
        var dll = context.MakeAbsolute(context.File($"src/SteelCI.Cli/bin/{parameters.Configuration}/net10.0/steelci.dll"));
        var arguments = new ProcessArgumentBuilder().Append(dll.FullPath).Append(command).AppendQuoted(parameters.Pipeline);
        if (parameters.Workspace != null)
            arguments.Append("--workspace").AppendQuoted(parameters.Workspace);
        foreach (var item in extra)
            arguments.Append(item);
        var exitCode = context.StartProcess("dotnet", new ProcessSettings { Arguments = arguments });
        if (exitCode != 0)
            throw new CakeException(exitCode, $"steelci {command} failed (exit code {exitCode}: {Meaning(exitCode)})");
    }

    // What steelci is built from: git's tree ids of src/ and the build files, so a build restored from a cache
    // (the scheduled workflow's actions/cache) is used only for exactly these sources. Null when git cannot tell or
    // any of them has uncommitted changes: then Build always builds.
    private static readonly string[] BuildInputs = { "src", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" };

    public static string CommittedSources(ICakeContext context)
    {
        var status = Git(context, "status --porcelain --untracked-files=all -- " + string.Join(" ", BuildInputs));
        if (status == null || status.Length > 0)
            return null;
        return Git(context, "rev-parse " + string.Join(" ", BuildInputs.Select(i => "HEAD:" + i)));
    }

    public static FilePath StampFile(ICakeContext context, BuildParameters parameters) =>
        context.MakeAbsolute(context.File($"src/SteelCI.Cli/bin/{parameters.Configuration}/net10.0/steelci-sources.txt"));

    public static string BuiltFrom(ICakeContext context, BuildParameters parameters)
    {
        var stamp = StampFile(context, parameters);
        var dll = context.MakeAbsolute(context.File($"src/SteelCI.Cli/bin/{parameters.Configuration}/net10.0/steelci.dll"));
        return System.IO.File.Exists(stamp.FullPath) && System.IO.File.Exists(dll.FullPath) ? System.IO.File.ReadAllText(stamp.FullPath).Trim() : null;
    }

    public static void Stamp(ICakeContext context, BuildParameters parameters, string sources)
    {
        var stamp = StampFile(context, parameters).FullPath;
        if (sources == null)
            System.IO.File.Delete(stamp);
        else
            System.IO.File.WriteAllText(stamp, sources + "\n");
    }

    private static string Git(ICakeContext context, string arguments)
    {
        try
        {
            var exitCode = context.StartProcess("git", new ProcessSettings { Arguments = arguments, RedirectStandardOutput = true, Silent = true },
                out IEnumerable<string> output);
            return exitCode == 0 ? string.Join("\n", output).Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no git: build
        }
    }

    public static string Meaning(int exitCode) => exitCode switch
    {
        1 => "a stage failed; see the summary above",
        2 => "the pipeline file or the arguments are wrong; nothing ran",
        4 => "another run of this pipeline holds its lock",
        _ => "unexpected",
    };
}
