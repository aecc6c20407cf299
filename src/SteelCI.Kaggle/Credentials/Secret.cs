namespace SteelCI.Kaggle.Credentials;

/// <summary>
/// A credential value that never prints itself: ToString, string interpolation and debugger views show a redaction.
/// Only the HTTP layer reads the value, through <see cref="Reveal"/>.
/// </summary>
public sealed class Secret
{
    public const string Redacted = "[REDACTED]";
    private readonly string _value;

    public Secret(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        _value = value.Trim();
    }

    internal string Reveal() => _value;

    /// <summary>True when <paramref name="text"/> contains this secret (to check logs and generated files).</summary>
    public bool AppearsIn(string text) => text.Contains(_value, StringComparison.Ordinal);

    public override string ToString() => Redacted;
}
