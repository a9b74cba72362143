import Foundation

/// The XMP metadata of an archival or tagged PDF (ISO 16684-1): the PDF/A identification, the PDF/UA
/// identification, the document information mirrored from `/Info` (PDF/A requires the two to agree),
/// and for a Factur-X/ZUGFeRD invoice the `fx` properties. Properties outside PDF/A's predefined
/// schemas (`pdfuaid`, `fx`) come with the extension schema that declares them, as PDF/A requires.
enum XMPPacket {
    static func make(conformance: PDFAConformance?, universalAccess: Bool, info: [String: String], eInvoice: EmbeddedFile?) -> [UInt8] {
        var descriptions: [String] = []
        if let conformance {
            descriptions.append(
                """
                  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
                   <pdfaid:part>\(conformance.part)</pdfaid:part>
                   <pdfaid:conformance>B</pdfaid:conformance>
                  </rdf:Description>
                """)
        }
        if universalAccess {
            if conformance != nil { descriptions.append(pdfUAExtensionSchema) }
            descriptions.append(
                """
                  <rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
                   <pdfuaid:part>1</pdfuaid:part>
                  </rdf:Description>
                """)
        }
        var dc = ["   <dc:format>application/pdf</dc:format>"]
        if let title = info["Title"] {
            dc.append("   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">\(escape(title))</rdf:li></rdf:Alt></dc:title>")
        }
        if let author = info["Author"] { dc.append("   <dc:creator><rdf:Seq><rdf:li>\(escape(author))</rdf:li></rdf:Seq></dc:creator>") }
        if let subject = info["Subject"] {
            dc.append("   <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">\(escape(subject))</rdf:li></rdf:Alt></dc:description>")
        }
        descriptions.append(
            "  <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n\(dc.joined(separator: "\n"))\n  </rdf:Description>")
        var xmp: [String] = []
        if let date = info["CreationDate"].flatMap(isoDate) { xmp.append("   <xmp:CreateDate>\(date)</xmp:CreateDate>") }
        if let date = info["ModDate"].flatMap(isoDate) { xmp.append("   <xmp:ModifyDate>\(date)</xmp:ModifyDate>") }
        if let tool = info["Creator"] { xmp.append("   <xmp:CreatorTool>\(escape(tool))</xmp:CreatorTool>") }
        if !xmp.isEmpty {
            descriptions.append(
                "  <rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n\(xmp.joined(separator: "\n"))\n  </rdf:Description>")
        }
        var pdf: [String] = []
        if let producer = info["Producer"] { pdf.append("   <pdf:Producer>\(escape(producer))</pdf:Producer>") }
        if let keywords = info["Keywords"] { pdf.append("   <pdf:Keywords>\(escape(keywords))</pdf:Keywords>") }
        if !pdf.isEmpty {
            descriptions.append(
                "  <rdf:Description rdf:about=\"\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n\(pdf.joined(separator: "\n"))\n  </rdf:Description>")
        }
        if conformance == .a3b, let invoice = eInvoice {
            descriptions.append(facturXExtensionSchema)
            descriptions.append(
                """
                  <rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#">
                   <fx:DocumentType>INVOICE</fx:DocumentType>
                   <fx:DocumentFileName>\(escape(invoice.filename))</fx:DocumentFileName>
                   <fx:Version>1.0</fx:Version>
                   <fx:ConformanceLevel>\(facturXLevel(invoice.content))</fx:ConformanceLevel>
                  </rdf:Description>
                """)
        }
        let packet = """
            <?xpacket begin="\u{FEFF}" id="W5M0MpCehiHzreSzNTczkc9d"?>
            <x:xmpmeta xmlns:x="adobe:ns:meta/">
             <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
            \(descriptions.joined(separator: "\n"))
             </rdf:RDF>
            </x:xmpmeta>
            <?xpacket end="w"?>
            """
        return Array(packet.utf8)
    }

    /// The Factur-X profile an invoice declares in its guideline identifier (`ram:GuidelineSpecifiedDocumentContextParameter`).
    static func facturXLevel(_ xml: Data) -> String {
        let text = String(decoding: xml.prefix(64 * 1024), as: UTF8.self).lowercased()
        if text.contains("factur-x.eu:1p0:minimum") { return "MINIMUM" }
        if text.contains("factur-x.eu:1p0:basicwl") { return "BASIC WL" }
        if text.contains("factur-x.eu:1p0:basic") { return "BASIC" }
        if text.contains("factur-x.eu:1p0:extended") || text.contains("conformance:extended") { return "EXTENDED" }
        if text.contains("xrechnung") { return "XRECHNUNG" }
        return "EN 16931"
    }

    /// `D:YYYYMMDDHHmmSS` with `Z` or `±HH'mm'` → `YYYY-MM-DDTHH:mm:SS` with `Z` or `±HH:mm`.
    static func isoDate(_ pdfDate: String) -> String? {
        var text = Substring(pdfDate)
        if text.hasPrefix("D:") { text = text.dropFirst(2) }
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard digits.count >= 4 else { return nil }
        let padded = Array(digits + String(repeating: "0", count: max(0, 14 - digits.count)))
        func part(_ from: Int, _ count: Int, _ fallback: String) -> String {
            from + count <= digits.count ? String(padded[from..<(from + count)]) : fallback
        }
        let date = "\(part(0, 4, "0000"))-\(part(4, 2, "01"))-\(part(6, 2, "01"))T\(part(8, 2, "00")):\(part(10, 2, "00")):\(part(12, 2, "00"))"
        let zone = text.dropFirst(digits.count)
        if let sign = zone.first, sign == "+" || sign == "-" {
            let numbers = zone.dropFirst().filter(\.isNumber)
            guard numbers.count >= 2 else { return date + "Z" }
            let hours = numbers.prefix(2), minutes = numbers.dropFirst(2).prefix(2)
            return date + "\(sign)\(hours):\(minutes.isEmpty ? "00" : String(minutes))"
        }
        return date + "Z"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// The PDF/A extension schema that declares PDF/UA's `pdfuaid:part` (ISO 14289-1 §5).
    static let pdfUAExtensionSchema = """
          <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
           <pdfaExtension:schemas>
            <rdf:Bag>
             <rdf:li rdf:parseType="Resource">
              <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
              <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
              <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
              <pdfaSchema:property>
               <rdf:Seq>
                <rdf:li rdf:parseType="Resource"><pdfaProperty:name>part</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType><pdfaProperty:category>internal</pdfaProperty:category><pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description></rdf:li>
               </rdf:Seq>
              </pdfaSchema:property>
             </rdf:li>
            </rdf:Bag>
           </pdfaExtension:schemas>
          </rdf:Description>
        """

    /// The PDF/A extension schema that declares Factur-X's `fx` properties (Factur-X 1.0, annex A).
    static let facturXExtensionSchema = """
          <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
           <pdfaExtension:schemas>
            <rdf:Bag>
             <rdf:li rdf:parseType="Resource">
              <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
              <pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>
              <pdfaSchema:prefix>fx</pdfaSchema:prefix>
              <pdfaSchema:property>
               <rdf:Seq>
                <rdf:li rdf:parseType="Resource"><pdfaProperty:name>DocumentFileName</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>The name of the embedded XML document</pdfaProperty:description></rdf:li>
                <rdf:li rdf:parseType="Resource"><pdfaProperty:name>DocumentType</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>The type of the hybrid document in capital letters, e.g. INVOICE or ORDER</pdfaProperty:description></rdf:li>
                <rdf:li rdf:parseType="Resource"><pdfaProperty:name>Version</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>The actual version of the standard applying to the embedded XML document</pdfaProperty:description></rdf:li>
                <rdf:li rdf:parseType="Resource"><pdfaProperty:name>ConformanceLevel</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>The conformance level of the embedded XML document</pdfaProperty:description></rdf:li>
               </rdf:Seq>
              </pdfaSchema:property>
             </rdf:li>
            </rdf:Bag>
           </pdfaExtension:schemas>
          </rdf:Description>
        """
}
