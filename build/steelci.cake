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

    public static string Meaning(int exitCode) => exitCode switch
    {
        1 => "a stage failed; see the summary above",
        2 => "the pipeline file or the arguments are wrong; nothing ran",
        4 => "another run of this pipeline holds its lock",
        _ => "unexpected",
    };
}
