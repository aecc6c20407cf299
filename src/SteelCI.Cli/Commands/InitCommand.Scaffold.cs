using System.CommandLine;
using System.Text.RegularExpressions;
using Spectre.Console;

namespace SteelCI.Cli;

/// <summary><c>steelci init</c>'s work: write the template files for a new pipeline and its trainer.</summary>
public static partial class InitCommand
{
    private static int Run(IAnsiConsole errors, string name, string? directory, string? rootOption)
    {
        if (!Name().IsMatch(name))
            return Fail(errors, $"'{name}' is not a pipeline name: use 2-30 characters of a-z, 0-9 and '-', starting with a letter or digit " +
                "(it prefixes release tags and Kaggle kernel slugs)");
        var target = Path.GetFullPath(directory ?? name);
        if (File.Exists(target))
            return Fail(errors, $"{target} is a file; choose a new folder with --directory");
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
            return Fail(errors, $"{target} exists and is not empty; choose a new folder with --directory");
        var root = rootOption is not null ? Path.GetFullPath(rootOption) : FindSteelciRoot();
        if (root is null || !IsSteelciRoot(root))
            return Fail(errors, rootOption is not null
                ? $"--steelci-root {rootOption} is not a SteelCI checkout (no src/SteelCI.Training/SteelCI.Training.csproj)"
                : "no SteelCI checkout above this steelci; pass --steelci-root with the folder of your SteelCI clone");

        var relative = Path.GetRelativePath(target, root);
        var inside = !Path.IsPathRooted(relative) && !Path.GetRelativePath(root, target).StartsWith("..", StringComparison.Ordinal);
        var rootValue = inside ? "$(MSBuildThisFileDirectory)" + relative.Replace('\\', '/') : root;
        var ns = Namespace(name);
        var values = new Dictionary<string, string> { ["{{name}}"] = name, ["{{Namespace}}"] = ns, ["{{steelci_root}}"] = rootValue };

        var written = new List<string>();
        var assembly = typeof(InitCommand).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var relativePath = OutputPath(resource[ResourcePrefix.Length..], ns);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            var text = values.Aggregate(reader.ReadToEnd(), (current, pair) => current.Replace(pair.Key, pair.Value, StringComparison.Ordinal));
            var path = Path.Combine(target, relativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            written.Add(relativePath);
        }
        if (written.Count == 0)
            throw new InvalidOperationException("this steelci carries no init templates (a build problem)");

        var shown = Path.GetRelativePath(Directory.GetCurrentDirectory(), target);
        var console = Console.Out; // plain lines: paths must not wrap
        console.WriteLine($"created pipeline {name} in {target}:");
        foreach (var file in written)
            console.WriteLine($"  {file}");
        console.WriteLine(inside
            ? $"SteelCI.Training is referenced relative to the folder ({rootValue}), inside the SteelCI checkout"
            : $"SteelCI.Training is referenced by absolute path ({root}): SteelCIRoot in {Path.Combine(shown, "Directory.Build.props")}");
        console.WriteLine("next:");
        console.WriteLine($"  dotnet test {Path.Combine(shown, "tests")}");
        console.WriteLine($"  steelci run {Path.Combine(shown, "steelci.yml")} --profile ci");
        return ExitCodes.Success;
    }

    /// <summary>Resource name (a path under Templates/init with .tmpl) to the file it becomes.</summary>
    private static string OutputPath(string resource, string ns)
    {
        var path = resource.EndsWith(".tmpl", StringComparison.Ordinal) ? resource[..^5] : resource;
        return path switch
        {
            "gitignore" => ".gitignore",
            "trainer/Trainer.csproj" => $"trainer/{ns}.Trainer.csproj",
            "tests/Tests.csproj" => $"tests/{ns}.Trainer.Tests.csproj",
            _ => path,
        };
    }

    /// <summary>"my-model" becomes "MyModel"; a leading digit gets a "P" ("2d" becomes "P2d").</summary>
    public static string Namespace(string name)
    {
        var pascal = string.Concat(name.Split('-', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
        return char.IsDigit(pascal[0]) ? "P" + pascal : pascal;
    }

    private static string? FindSteelciRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (IsSteelciRoot(dir.FullName))
                return dir.FullName;
        return null;
    }

    private static bool IsSteelciRoot(string dir) =>
        File.Exists(Path.Combine(dir, "src", "SteelCI.Training", "SteelCI.Training.csproj")) && File.Exists(Path.Combine(dir, "Directory.Packages.props"));

    private static int Fail(IAnsiConsole console, string message)
    {
        if (!console.Profile.Capabilities.Interactive)
            console.Profile.Width = Math.Max(console.Profile.Width, 240); // paths must not wrap in logs
        console.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
        return ExitCodes.InvalidInput;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,29}$")]
    private static partial Regex Name();
}
