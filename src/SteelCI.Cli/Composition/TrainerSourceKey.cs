using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace SteelCI.Cli;

/// <summary>
/// What goes into a trainer bundle, hashed without building it (issue 14 item 4): the trainer project and every project
/// it references (transitively), each as all files under its folder except bin/, obj/ and hidden folders; every
/// Directory.Build.props/.targets, Directory.Packages.props (the package versions), global.json and NuGet.config from
/// those folders up to the file system's root, and the files these name through <c>$(MSBuildThisFileDirectory)</c>
/// (the glibc++ fix script, the banned-symbols list); the SDK version (<c>dotnet --version</c>), the runtime the
/// bundle targets, and the build of the publisher (its assembly's deterministic module id, so a change to how SteelCI
/// publishes changes the key). Paths are taken relative to the trainer project's folder, so two clones agree.
/// A project reference through an MSBuild property (e.g. <c>$(SteelCIRoot)</c>, as <c>steelci init</c> writes) is not
/// resolved here: <see cref="ProjectFolders"/> throws NotSupportedException and the trainer is keyed by building.
/// Not covered: files a project includes from elsewhere by an explicit relative path, environment variables and SDK
/// workloads that change the build, and a NuGet package whose content changed under the same version (nuget.org does
/// not allow that). A build that hashes differently from its recorded key is caught when the bundle is next built.
/// </summary>
public static partial class TrainerSourceKey
{
    public const string Scheme = "steelci.trainer-sources/1";

    private static readonly string[] BuildFiles =
        ["Directory.Build.props", "Directory.Build.targets", "Directory.Build.rsp", "Directory.Packages.props", "global.json", "NuGet.config", "nuget.config"];

    /// <param name="project">The trainer's .csproj.</param>
    /// <param name="sdkVersion">What <c>dotnet --version</c> prints in the project's folder.</param>
    /// <param name="runtime">The bundle's runtime identifier, or null for a framework-dependent bundle.</param>
    /// <param name="publisher">Identifies the code that publishes (changes when it changes).</param>
    public static string Compute(string project, string sdkVersion, string? runtime, string publisher)
    {
        var origin = Path.GetDirectoryName(Path.GetFullPath(project))!;
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var folder in ProjectFolders(project))
        {
            foreach (var file in SourceFiles(folder))
                files.Add(file);
            for (var up = folder; up is not null; up = Path.GetDirectoryName(up))
                foreach (var name in BuildFiles)
                {
                    var candidate = Path.Combine(up, name);
                    if (!File.Exists(candidate) || !files.Add(candidate))
                        continue;
                    foreach (var named in NamedFiles(candidate))
                        files.Add(named);
                }
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{Scheme}\nsdk={sdkVersion.Trim()}\nruntime={runtime ?? "framework-dependent"}\npublisher={publisher}\n"));
        foreach (var file in files.Select(f => (Relative: Path.GetRelativePath(origin, f).Replace('\\', '/'), Full: f))
                     .OrderBy(f => f.Relative, StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(file.Full);
            hash.AppendData(Encoding.UTF8.GetBytes($"{file.Relative}\n{bytes.Length}\n"));
            hash.AppendData(bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The folders of the project and of every project it references, directly or not.</summary>
    public static IReadOnlyList<string> ProjectFolders(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next))
                continue;
            if (!File.Exists(next))
                throw new FileNotFoundException($"project {next} (referenced by the trainer) not found", next);
            var folder = Path.GetDirectoryName(next)!;
            foreach (var reference in Load(next).Descendants().Where(e => e.Name.LocalName == "ProjectReference"))
                if (reference.Attribute("Include")?.Value is { Length: > 0 } include)
                    pending.Push(include.Contains("$(", StringComparison.Ordinal)
                        ? throw new NotSupportedException($"project {next} references {include} through an MSBuild property; its sources are keyed by building")
                        : Path.GetFullPath(Path.Combine(folder, include.Replace('\\', '/'))));
        }
        return seen.Select(p => Path.GetDirectoryName(p)!).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    private static XDocument Load(string project)
    {
        try
        {
            return XDocument.Load(project);
        }
        catch (System.Xml.XmlException error)
        {
            throw new InvalidDataException($"project {project} is not valid XML: {error.Message}", error);
        }
    }

    private static IEnumerable<string> SourceFiles(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder))
            yield return file;
        foreach (var sub in Directory.EnumerateDirectories(folder))
        {
            var name = Path.GetFileName(sub);
            if (name is "bin" or "obj" || name.StartsWith('.'))
                continue;
            foreach (var file in SourceFiles(sub))
                yield return file;
        }
    }

    /// <summary>Files a build file names as <c>$(MSBuildThisFileDirectory)relative/path</c>, where they exist.</summary>
    private static IEnumerable<string> NamedFiles(string buildFile)
    {
        var folder = Path.GetDirectoryName(buildFile)!;
        foreach (Match match in ThisFileDirectory().Matches(File.ReadAllText(buildFile)))
        {
            var path = Path.GetFullPath(Path.Combine(folder, match.Groups[1].Value.Replace('\\', '/')));
            if (File.Exists(path))
                yield return path;
        }
    }

    [GeneratedRegex(@"\$\(MSBuildThisFileDirectory\)([A-Za-z0-9_./\\-]+)")]
    private static partial Regex ThisFileDirectory();
}
