using System.Globalization;
using System.Text;

namespace CnnGen.Generator.Emit;

/// <summary>An indenting text writer for generated C#. Lines end with "\n" on every platform.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public void Line(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', _indent * 4);
        }

        _text.Append(line).Append('\n');
    }

    /// <summary>Writes <paramref name="header"/>, then <c>{</c>, and indents until <see cref="Close"/>.</summary>
    public void Open(string header)
    {
        Line(header);
        Line("{");
        _indent++;
    }

    public void Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
    }

    public override string ToString() => _text.ToString();

    /// <summary>Formats an integer for generated code.</summary>
    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Formats a float literal for generated code (round-trippable, with the f suffix).</summary>
    public static string Float(double value) => ((float)value).ToString("R", CultureInfo.InvariantCulture) + "f";

    /// <summary><c>x * 28 + 3</c>, <c>x * 28</c>, <c>x - 1</c> or <c>3</c>: a linear index with literal coefficients.</summary>
    public static string Linear(string variable, int scale, int offset)
    {
        string term = scale == 0 ? string.Empty : scale == 1 ? variable : $"{variable} * {Int(scale)}";
        if (term.Length == 0)
        {
            return Int(offset);
        }

        return offset == 0 ? term : offset > 0 ? $"{term} + {Int(offset)}" : $"{term} - {Int(-offset)}";
    }
}
