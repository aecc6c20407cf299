using System.Xml.Linq;

namespace SteelCI.Architecture.Tests;

/// <summary>One project file: its name, and the projects and packages it references (read from the csproj's items).</summary>
public sealed record ProjectFile(string Name, string Path, IReadOnlyList<string> Projects, IReadOnlyList<string> Packages)
{
    public static ProjectFile Read(string path)
    {
        var document = XDocument.Load(path);
        var projects = document.Descendants("ProjectReference")
            .Select(r => System.IO.Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToList();
        var packages = document.Descendants("PackageReference").Select(r => r.Attribute("Include")!.Value).ToList();
        return new ProjectFile(System.IO.Path.GetFileNameWithoutExtension(path), path, projects, packages);
    }

    /// <summary>Every project of the product (src/, kernels/, bench/) under <paramref name="root"/>; tests are free to reference what they test.</summary>
    public static IReadOnlyList<ProjectFile> ProductProjects(string root) =>
        new[] { "src", "kernels", "bench" }
            .Select(folder => System.IO.Path.Combine(root, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.csproj", SearchOption.AllDirectories))
            .Where(path => !path.Split(System.IO.Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Select(Read)
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
}

/// <summary>Checks project files against <see cref="Layout"/>; each problem is one line that names the file and the arrow.</summary>
public static class ProjectGraph
{
    public static IReadOnlyList<string> Problems(IEnumerable<ProjectFile> projects)
    {
        var problems = new List<string>();
        foreach (var project in projects)
        {
            if (!Layout.Allowed.TryGetValue(project.Name, out var allowed))
            {
                problems.Add($"{project.Path}: {project.Name} is not in the layout; add it with its allowed references to " +
                             "Layout.Allowed (tests/SteelCI.Architecture.Tests) and docs/architecture.md");
                continue;
            }
            foreach (var reference in project.Projects.Where(r => !allowed.Contains(r)))
                problems.Add($"{project.Path}: {project.Name} -> {reference} is not an allowed arrow " +
                             $"(allowed: {(allowed.Count == 0 ? "none" : string.Join(", ", allowed.Order(StringComparer.Ordinal)))}; see docs/architecture.md)");
            foreach (var package in project.Packages)
                if (Layout.PackageOwners.TryGetValue(package, out var owners) && !owners.Contains(project.Name))
                    problems.Add($"{project.Path}: {project.Name} references the package {package}, which only " +
                                 $"{string.Join(", ", owners)} may use (one project per external dependency)");
            if (project.Name == Layout.Contracts && project.Packages.Count > 0)
                problems.Add($"{project.Path}: {Layout.Contracts} must have no dependencies, but references {string.Join(", ", project.Packages)}");
        }
        return problems;
    }
}
