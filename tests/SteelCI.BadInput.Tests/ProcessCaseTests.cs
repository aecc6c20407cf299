namespace SteelCI.BadInput.Tests;

/// <summary>Every process case of the corpus, one test per case, named "group: what".</summary>
public static class Corpus
{
    public static IReadOnlyList<Case> ProcessCases { get; } =
        [.. SpecCases.All(), .. ArgumentCases.All(), .. WorkspaceCases.All(), .. StateCases.All(), .. CredentialCases.All()];

    public static TheoryData<string> Names(string group) => new(ProcessCases.Where(c => c.Group == group).Select(c => c.ToString()));

    public static void Check(string name) => ProcessCases.Single(c => c.ToString() == name).Check();
}

public sealed class SpecFileCases
{
    public static TheoryData<string> Cases => Corpus.Names("spec");

    [Theory, MemberData(nameof(Cases))]
    public void Refused_with_its_place(string name) => Corpus.Check(name);
}

public sealed class CommandLineCases
{
    public static TheoryData<string> Cases => Corpus.Names("arguments");

    [Theory, MemberData(nameof(Cases))]
    public void Refused_with_its_option(string name) => Corpus.Check(name);
}

public sealed class WorkspaceSafetyCases
{
    public static TheoryData<string> Cases => Corpus.Names("workspace");

    [Theory, MemberData(nameof(Cases))]
    public void Only_what_SteelCI_made_is_touched(string name) => Corpus.Check(name);
}

public sealed class StateAndReleaseCases
{
    public static TheoryData<string> State => Corpus.Names("state");
    public static TheoryData<string> Releases => Corpus.Names("releases");

    [Theory, MemberData(nameof(State))]
    public void State_left_behind(string name) => Corpus.Check(name);

    [Theory, MemberData(nameof(Releases))]
    public void Damaged_releases_are_never_trusted(string name) => Corpus.Check(name);
}

public sealed class CredentialAndUrlCases
{
    public static TheoryData<string> Cases => Corpus.Names("credentials");

    [Theory, MemberData(nameof(Cases))]
    public void Setup_errors_name_the_setting_and_never_the_secret(string name) => Corpus.Check(name);
}
