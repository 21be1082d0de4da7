# SPDX-License-Identifier: BSD-3-Clause
# Turns vplat's man-style --help text (NAME, SYNOPSIS, DESCRIPTION, OPTIONS, other capitalised
# headings) into the dialect help2man parses: "Usage:" lines, left-justified description,
# "Options:", and "*HEADING*" for the other sections. Used by cmake/run-help2man.cmake only;
# the text itself comes from the program, so the page cannot drift from --help.
function end_syn() {
	if (syn != "")
		print ((nsyn++ ? "  or: " : "Usage: ") syn)
	syn = ""
}
/^[A-Z][A-Z ]*[A-Z]$/ {
	end_syn()
	if (nsyn) { print ""; nsyn = 0 }
	sect = $0
	if (sect == "NAME" || sect == "SYNOPSIS" || sect == "DESCRIPTION")
		next
	if (sect == "OPTIONS" || sect == "COMMON OPTIONS") { print "Options:"; next }
	print "*" sect "*"
	next
}
sect == "NAME" { next }
sect == "SYNOPSIS" {
	# One "Usage:"/"or:" line per synopsis line; indented continuations are joined.
	if ($0 ~ /^ *$/) { end_syn(); next }
	line = $0
	sub(/^ +/, "", line)
	if ($0 ~ /^    [^ ]/) { end_syn(); syn = line } else { syn = syn " " line }
	next
}
sect == "DESCRIPTION" { sub(/^    /, ""); print; next }
{ print }
