// Old actions print the commands themselves; ::error:: alone does not fail a step.
console.log('::set-output name=legacy::old-style');
console.log('::error::an error annotation that does not fail the step');
console.log('legacy action done');
