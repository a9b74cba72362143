import Core
import Render

/// The layout a template gets when it is created from a manifest alone
/// (docs/api.md#template-requests): the name as a heading, scalars as labelled values, image variables
/// as data-bound images, loops as tables with one column per item field, and a "Page X of Y" footer.
public enum LayoutSynthesizer {
    public static func document(name: String, manifest: Manifest, page: PageSetup? = nil) -> Document {
        var blocks: [Block] = [.heading(TextBlock(text: name, level: 1))]
        let scalars = manifest.variables.filter { $0.dataType != .image }
        if !scalars.isEmpty {
            blocks.append(.keyValue(KeyValueBlock(items: scalars.map { KeyValueItem(label: $0.label, value: token(for: $0)) })))
        }
        for image in manifest.variables where image.dataType == .image {
            blocks.append(.spacer(SpacerBlock(height: 8)))
            blocks.append(.paragraph(TextBlock(text: image.label)))
            blocks.append(.image(ImageBlock(src: "{{\(image.key)}}", width: 200, fit: .contain)))
        }
        for loop in manifest.loops {
            blocks.append(.spacer(SpacerBlock(height: 12)))
            blocks.append(.heading(TextBlock(text: loop.label, level: 2)))
            let columns = loop.itemFields.map { field in
                TableColumn(
                    header: field.label, cell: token(for: field), width: .auto,
                    align: [.number, .currency].contains(field.dataType) ? .right : .left
                )
            }
            blocks.append(.table(TableBlock(columns: columns, loop: loop.key, style: TableStyle(borders: .horizontal))))
        }
        let footer = PageDecoration(blocks: [.paragraph(TextBlock(text: "Page {{page}} of {{pages}}", align: .center))])
        return Document(
            meta: DocumentMeta(title: name), page: page, footer: footer,
            variables: manifest.variables, loops: manifest.loops, blocks: blocks
        )
    }

    /// `{{key}}` with the formatter the variable's type and format call for.
    static func token(for variable: VariableDefinition) -> String {
        let formatter: String?
        switch variable.dataType {
        case .currency:
            let code = variable.format.flatMap { $0.split(separator: ":").last.map(String.init) }?.uppercased() ?? "EUR"
            formatter = "money:\(code)"
        case .number: formatter = variable.format?.hasPrefix("number:") == true ? variable.format : nil
        case .date: formatter = "date:long"
        case .datetime: formatter = "datetime"
        case .boolean: formatter = "yesno"
        default: formatter = nil
        }
        return formatter.map { "{{\(variable.key) | \($0)}}" } ?? "{{\(variable.key)}}"
    }
}
